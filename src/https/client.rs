//! The SDK `HttpClient` of every AWS client of the process: rustls on aws-lc (the SDK's own connector)
//! trusting the process's roots and resolving names through the process's early lookups, one
//! connector per timeout setting, each made as the first SDK client that uses it is built (at
//! start-up) rather than at that client's first call.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use aws_smithy_async::rt::sleep::SharedAsyncSleep;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, TlsContext};
use aws_smithy_http_client::{Connector, ConnectorBuilder};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::timeout::MergeTimeoutConfig;
use tracing::debug;

use super::endpoint_lookups::EndpointLookups;

/// What the SDK tells connectors apart by: a call's connect and read timeouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Timeouts {
    connect: Option<Duration>,
    read: Option<Duration>,
}

impl Timeouts {
    /// As the SDK's orchestrator derives a call's connector settings: from the timeout
    /// configuration of every layer of the configuration merged (`MergeTimeoutConfig`, which
    /// aws-smithy-types documents as the orchestrator's and not meant for others; it is the one
    /// way to resolve what a call will ask for), read as `try_attempt` reads it.
    fn of(cfg: &ConfigBag) -> Self {
        let config = cfg.load::<MergeTimeoutConfig>();
        Self {
            connect: config.connect_timeout(),
            read: config.read_timeout(),
        }
    }

    /// The settings a connector is built with. `HttpConnectorSettings` holds these two timeouts
    /// and nothing else in aws-smithy-runtime-api 1.20; were it to gain a field, the connectors
    /// would be built without it, and this and `From<&HttpConnectorSettings>` must carry it.
    fn settings(self) -> HttpConnectorSettings {
        let mut settings = HttpConnectorSettings::builder();
        settings.set_connect_timeout(self.connect);
        settings.set_read_timeout(self.read);
        settings.build()
    }
}

impl From<&HttpConnectorSettings> for Timeouts {
    fn from(settings: &HttpConnectorSettings) -> Self {
        Self {
            connect: settings.connect_timeout(),
            read: settings.read_timeout(),
        }
    }
}

/// The client. Every SDK client of the process built from one configuration shares it, so that
/// clients with the same timeouts share one connector and its connection pool.
///
/// The SDK asks a client's HTTP client to check the configuration as the client is built
/// (`validate_base_client_config`); its own hyper client builds a connector then only to load
/// the system's roots early, drops it, and builds the real one at the first call, so that the first
/// request pays for decoding the roots and building rustls' configuration. This one makes, at
/// that moment, the connector the client's calls will ask for, from the same timeout configuration
/// the call derives its settings from, and keeps it: start-up does the work once, the first request
/// none of it. A call that asks for settings no client was built with still gets a connector,
/// made then (and logged).
#[derive(Clone)]
pub(super) struct PreparedHttps {
    tls: TlsContext,
    lookups: EndpointLookups,
    connectors: Arc<RwLock<HashMap<Timeouts, SharedHttpConnector>>>,
    /// How many times a call asked for its connector, for the tests.
    #[cfg(test)]
    calls: Arc<std::sync::atomic::AtomicUsize>,
}

/// The connectors' timeouts only: the TLS context's `Debug` prints every root certificate's
/// bytes, and the SDK logs its HTTP client's `Debug` at TRACE with every operation.
impl std::fmt::Debug for PreparedHttps {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let connectors = self
            .connectors
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        formatter
            .debug_struct("PreparedHttps")
            .field("connectors", &connectors.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl PreparedHttps {
    pub(super) fn new(tls: TlsContext, lookups: EndpointLookups) -> Self {
        Self {
            tls,
            lookups,
            connectors: Arc::default(),
            #[cfg(test)]
            calls: Arc::default(),
        }
    }

    /// The connector for `timeouts`, and whether it was made now.
    fn connector(
        &self,
        timeouts: Timeouts,
        sleep: Option<SharedAsyncSleep>,
    ) -> (SharedHttpConnector, bool) {
        let made = self
            .connectors
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&timeouts)
            .cloned();
        if let Some(connector) = made {
            return (connector, false);
        }
        let mut connectors = self
            .connectors
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(connector) = connectors.get(&timeouts) {
            return (connector.clone(), false);
        }
        let connector = SharedHttpConnector::new(self.make(timeouts, sleep));
        connectors.insert(timeouts, connector.clone());
        (connector, true)
    }

    fn make(&self, timeouts: Timeouts, sleep: Option<SharedAsyncSleep>) -> Connector {
        let mut connector = ConnectorBuilder::default()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::AwsLc,
            ))
            .tls_context(self.tls.clone());
        connector.set_connector_settings(Some(timeouts.settings()));
        connector.set_sleep_impl(sleep);
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build_with_resolver(self.lookups.clone())
    }

    /// How many times a call has asked for its connector so far.
    #[cfg(test)]
    pub(super) fn calls(&self) -> usize {
        self.calls.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The connect and read timeouts of the connectors made so far, in order, for the tests.
    #[cfg(test)]
    pub(super) fn made(&self) -> Vec<(Option<Duration>, Option<Duration>)> {
        let mut made: Vec<_> = self
            .connectors
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .map(|timeouts| (timeouts.connect, timeouts.read))
            .collect();
        made.sort();
        made
    }
}

impl HttpClient for PreparedHttps {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        #[cfg(test)]
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let timeouts = Timeouts::from(settings);
        let (connector, made_now) = self.connector(timeouts, components.sleep_impl());
        if made_now {
            debug!(
                ?timeouts,
                "an HTTPS connector was made at a call: no client was built with these timeouts"
            );
        }
        connector
    }

    fn validate_base_client_config(
        &self,
        components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.connector(Timeouts::of(cfg), components.sleep_impl());
        Ok(())
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        Some(ConnectorMetadata::new("hyper", Some(Cow::Borrowed("1.x"))))
    }
}
