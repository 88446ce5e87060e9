//! The DNS resolver of every AWS call: the endpoints' names are looked up on a thread of their own
//! as the process starts, while the rest of init runs, and the first connection to each takes that
//! answer instead of waiting for a lookup of its own; every other lookup goes to the system's
//! resolver, as the SDK's own connector does.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, ToSocketAddrs};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::dns::{DnsFuture, ResolveDns, ResolveDnsError};
use aws_types::service_config::ServiceConfigKey;
use tokio::sync::oneshot;
use tracing::{debug, warn};

/// The oldest early answer a connection takes. Lambda hands a new instance its first event as soon
/// as init ends; an instance that waits longer (provisioned concurrency) looks the name up again
/// rather than trust an answer AWS's DNS may since have rotated.
const EARLY_ANSWER_MAX_AGE: Duration = Duration::from_secs(10);

/// The resolver. Clones share the early answers.
#[derive(Clone, Debug)]
pub struct EndpointLookups {
    early: Arc<Mutex<HashMap<String, oneshot::Receiver<Answer>>>>,
    max_age: Duration,
    /// How many connections took an early answer, and how many asked the system.
    #[cfg(test)]
    counts: Arc<Mutex<(usize, usize)>>,
}

/// What the early lookup of one name found, and when.
#[derive(Debug)]
struct Answer {
    addresses: io::Result<Vec<IpAddr>>,
    at: Instant,
}

impl Default for EndpointLookups {
    fn default() -> Self {
        Self::with_max_age(EARLY_ANSWER_MAX_AGE)
    }
}

impl EndpointLookups {
    fn with_max_age(max_age: Duration) -> Self {
        Self {
            early: Arc::default(),
            max_age,
            #[cfg(test)]
            counts: Arc::default(),
        }
    }

    /// Looks `hosts` up, in order, on a thread of their own. A host that is an address, or one
    /// already asked for, is skipped; where the thread cannot be started, each connection looks
    /// its name up itself.
    pub fn start(&self, hosts: impl IntoIterator<Item = String>) {
        let mut pending = Vec::new();
        {
            let mut early = self.early.lock().unwrap_or_else(PoisonError::into_inner);
            for host in hosts {
                if host.parse::<IpAddr>().is_ok() || early.contains_key(&host) {
                    continue;
                }
                let (sender, receiver) = oneshot::channel();
                early.insert(host.clone(), receiver);
                pending.push((host, sender));
            }
        }
        if pending.is_empty() {
            return;
        }
        let started = std::thread::Builder::new()
            .name("endpoint-lookups".to_owned())
            .spawn(move || {
                for (host, sender) in pending {
                    let addresses = system_lookup(&host);
                    // The receiver is gone only where a connection stopped waiting for it.
                    let _ = sender.send(Answer {
                        addresses,
                        at: Instant::now(),
                    });
                }
            });
        if let Err(error) = started {
            warn!(%error, "the endpoints' names are not looked up early: each first connection looks its own up");
        }
    }

    /// The early answer for `name`, once, where it found addresses no older than `max_age`.
    async fn take_early(&self, name: &str) -> Option<Vec<IpAddr>> {
        let receiver = self
            .early
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(name)?;
        match receiver.await {
            Ok(Answer {
                addresses: Ok(addresses),
                at,
            }) if !addresses.is_empty() && at.elapsed() < self.max_age => Some(addresses),
            Ok(Answer {
                addresses: Err(error),
                ..
            }) => {
                debug!(name, %error, "the early lookup failed: looking the name up again");
                None
            }
            _ => None,
        }
    }

    #[cfg(test)]
    fn count(&self, early: bool) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if early {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
    }

    /// How many connections took an early answer, and how many asked the system.
    #[cfg(test)]
    pub(crate) fn counts(&self) -> (usize, usize) {
        *self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl ResolveDns for EndpointLookups {
    fn resolve_dns<'a>(&'a self, name: &'a str) -> DnsFuture<'a> {
        DnsFuture::new(async move {
            if let Some(addresses) = self.take_early(name).await {
                #[cfg(test)]
                self.count(true);
                return Ok(addresses);
            }
            #[cfg(test)]
            self.count(false);
            let owned = name.to_owned();
            tokio::task::spawn_blocking(move || system_lookup(&owned))
                .await
                .map_err(|join| ResolveDnsError::new(io::Error::other(join)))?
                .map_err(ResolveDnsError::new)
        })
    }
}

/// The system's answer for `host` (getaddrinfo), as hyper's and the SDK's resolvers ask for it.
fn system_lookup(host: &str) -> io::Result<Vec<IpAddr>> {
    Ok((host, 0)
        .to_socket_addrs()?
        .map(|address| address.ip())
        .collect())
}

/// What a service's endpoint rules resolve a client's endpoint from, for a client built from
/// `sdk_config` (the operation's own inputs aside): the region, the FIPS and dual-stack settings,
/// and the endpoint URL, chosen as the SDK's `Builder::from(&SdkConfig)` chooses it (one set on the
/// configuration in code, else the service's own `AWS_ENDPOINT_URL_<SERVICE>`, else
/// `AWS_ENDPOINT_URL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSettings {
    pub region: Option<String>,
    pub use_fips: Option<bool>,
    pub use_dual_stack: Option<bool>,
    pub endpoint: Option<String>,
}

impl EndpointSettings {
    /// For the service the SDK names `service_id` ("WorkMail", "DynamoDB", "WorkSpaces Web").
    pub fn of(sdk_config: &SdkConfig, service_id: &str) -> Self {
        Self {
            region: sdk_config.region().map(|region| region.as_ref().to_owned()),
            use_fips: sdk_config.use_fips(),
            use_dual_stack: sdk_config.use_dual_stack(),
            endpoint: endpoint_url(sdk_config, service_id),
        }
    }
}

fn endpoint_url(sdk_config: &SdkConfig, service_id: &str) -> Option<String> {
    let shared = || sdk_config.endpoint_url().map(str::to_owned);
    if sdk_config.get_origin("endpoint_url").is_client_config() {
        return shared();
    }
    let key = ServiceConfigKey::builder()
        .service_id(service_id)
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build()
        .ok()?;
    sdk_config
        .service_config()
        .and_then(|config| config.load_config(key))
        .or_else(shared)
}

/// The host of an endpoint URL, without the brackets of an IPv6 address.
pub fn host_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    match parsed.host()? {
        url::Host::Domain(domain) => Some(domain.to_owned()),
        url::Host::Ipv4(address) => Some(address.to_string()),
        url::Host::Ipv6(address) => Some(address.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback(addresses: &[IpAddr]) -> bool {
        !addresses.is_empty() && addresses.iter().all(IpAddr::is_loopback)
    }

    /// A name answered early, as the thread left it.
    fn answered(lookups: &EndpointLookups, name: &str, addresses: io::Result<Vec<IpAddr>>) {
        let (sender, receiver) = oneshot::channel();
        sender
            .send(Answer {
                addresses,
                at: Instant::now(),
            })
            .expect("the receiver is here");
        lookups
            .early
            .lock()
            .expect("lock")
            .insert(name.to_owned(), receiver);
    }

    #[tokio::test]
    async fn the_first_connection_takes_the_early_answer_and_later_ones_ask_the_system() {
        let lookups = EndpointLookups::default();
        lookups.start(["localhost".to_owned()]);
        let first = lookups.resolve_dns("localhost").await.expect("localhost");
        assert!(loopback(&first), "{first:?}");
        assert_eq!(lookups.counts(), (1, 0));
        let second = lookups.resolve_dns("localhost").await.expect("localhost");
        assert!(loopback(&second), "{second:?}");
        assert_eq!(lookups.counts(), (1, 1), "an early answer serves once");
    }

    #[tokio::test]
    async fn addresses_and_names_asked_for_twice_are_not_looked_up_again() {
        let lookups = EndpointLookups::default();
        lookups.start(
            ["127.0.0.1", "::1", "localhost", "localhost"]
                .into_iter()
                .map(str::to_owned),
        );
        let pending: Vec<String> = lookups
            .early
            .lock()
            .expect("lock")
            .keys()
            .cloned()
            .collect();
        assert_eq!(pending, ["localhost"]);
    }

    #[tokio::test]
    async fn an_answer_older_than_the_limit_is_looked_up_again() {
        let lookups = EndpointLookups::with_max_age(Duration::ZERO);
        answered(
            &lookups,
            "localhost",
            Ok(vec![IpAddr::from([192, 0, 2, 1])]),
        );
        let addresses = lookups.resolve_dns("localhost").await.expect("localhost");
        assert!(
            loopback(&addresses),
            "the stale 192.0.2.1 was taken: {addresses:?}"
        );
        assert_eq!(lookups.counts(), (0, 1));
    }

    #[tokio::test]
    async fn a_failed_empty_or_abandoned_early_lookup_is_looked_up_again() {
        let lookups = EndpointLookups::default();
        answered(&lookups, "localhost", Err(io::Error::other("no answer")));
        assert!(loopback(
            &lookups.resolve_dns("localhost").await.expect("failed")
        ));
        answered(&lookups, "localhost", Ok(Vec::new()));
        assert!(loopback(
            &lookups.resolve_dns("localhost").await.expect("empty")
        ));
        let (sender, receiver) = oneshot::channel::<Answer>();
        drop(sender);
        lookups
            .early
            .lock()
            .expect("lock")
            .insert("localhost".to_owned(), receiver);
        assert!(loopback(
            &lookups.resolve_dns("localhost").await.expect("abandoned")
        ));
        assert_eq!(lookups.counts(), (0, 3));
    }

    #[test]
    fn an_endpoints_host_is_its_urls_without_brackets_or_port() {
        assert_eq!(
            host_of("https://workmail.us-east-1.amazonaws.com").as_deref(),
            Some("workmail.us-east-1.amazonaws.com")
        );
        assert_eq!(
            host_of("http://localhost:4566/").as_deref(),
            Some("localhost")
        );
        assert_eq!(host_of("http://[::1]:80").as_deref(), Some("::1"));
        assert_eq!(host_of("not a url"), None);
    }
}
