//! The SDK `HttpClient` of every AWS client of the process: rustls on aws-lc (the SDK's own connector)
//! trusting the process's roots, one connector per timeout setting, each made as the first SDK client
//! that uses it is built (at start-up) rather than at that client's first call.

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
use aws_smithy_types::timeout::TimeoutConfig;
use tracing::debug;

/// A connector's settings: what the SDK asks a connector for by (its connect and read timeouts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Timeouts {
    connect: Option<Duration>,
    read: Option<Duration>,
}

impl Timeouts {
    /// As the SDK's orchestrator derives a call's connector settings from the client's timeout
    /// configuration (aws-smithy-runtime, `try_attempt`).
    fn of(config: Option<&TimeoutConfig>) -> Self {
        Self {
            connect: config.and_then(TimeoutConfig::connect_timeout),
            read: config.and_then(TimeoutConfig::read_timeout),
        }
    }

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
#[derive(Debug, Clone)]
pub(super) struct PreparedHttps {
    tls: TlsContext,
    connectors: Arc<RwLock<HashMap<Timeouts, SharedHttpConnector>>>,
}

impl PreparedHttps {
    pub(super) fn new(tls: TlsContext) -> Self {
        Self {
            tls,
            connectors: Arc::default(),
        }
    }

    fn connector(
        &self,
        timeouts: Timeouts,
        sleep: Option<SharedAsyncSleep>,
    ) -> SharedHttpConnector {
        let made = self
            .connectors
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&timeouts)
            .cloned();
        if let Some(connector) = made {
            return connector;
        }
        self.connectors
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(timeouts)
            .or_insert_with(|| SharedHttpConnector::new(self.make(timeouts, sleep)))
            .clone()
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
        connector.build()
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
        let timeouts = Timeouts::from(settings);
        let made = self
            .connectors
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(&timeouts);
        if !made {
            debug!(
                ?timeouts,
                "an HTTPS connector is made at a call: no client was built with these timeouts"
            );
        }
        self.connector(timeouts, components.sleep_impl())
    }

    fn validate_base_client_config(
        &self,
        components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.connector(
            Timeouts::of(cfg.load::<TimeoutConfig>()),
            components.sleep_impl(),
        );
        Ok(())
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        Some(ConnectorMetadata::new("hyper", Some(Cow::Borrowed("1.x"))))
    }
}
