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
use tracing::{debug, info, warn};

/// The oldest early answer a connection takes. Lambda hands a new instance its first event as soon
/// as init ends; an instance that waits longer (provisioned concurrency) looks the name up again
/// rather than trust an answer AWS's DNS may since have rotated.
const EARLY_ANSWER_MAX_AGE: Duration = Duration::from_secs(10);

/// The resolver. Clones share the early answers.
#[derive(Clone, Debug)]
pub struct EndpointLookups {
    early: Arc<Mutex<HashMap<String, oneshot::Receiver<Answer>>>>,
    max_age: Duration,
    /// The system's resolver (another only in the tests).
    lookup: Lookup,
    /// How many connections took an early answer, and how many asked the system.
    #[cfg(test)]
    counts: Arc<Mutex<(usize, usize)>>,
}

/// A resolver of host names.
type Lookup = fn(&str) -> io::Result<Vec<IpAddr>>;

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
            lookup: system_lookup,
            #[cfg(test)]
            counts: Arc::default(),
        }
    }

    /// Looks `hosts` up, each on a thread of its own (so that a slow answer for one delays no
    /// other's first connection), the first of them spawning the others so that init starts one.
    /// A host that is an address, or one already asked for, is skipped; a lookup whose thread
    /// cannot be started leaves its first connection to look its name up itself.
    pub fn start(&self, hosts: impl IntoIterator<Item = String>) {
        let mut pending = Vec::new();
        {
            let mut early = self.early.lock().unwrap_or_else(PoisonError::into_inner);
            for host in hosts {
                let key = host.to_ascii_lowercase();
                if host.parse::<IpAddr>().is_ok() || early.contains_key(&key) {
                    continue;
                }
                let (sender, receiver) = oneshot::channel();
                early.insert(key, receiver);
                pending.push((host, sender));
            }
        }
        let Some(first) = pending.pop() else {
            return;
        };
        info!(
            hosts = ?pending.iter().map(|(host, _)| host).chain([&first.0]).collect::<Vec<_>>(),
            "looking the endpoints' names up early"
        );
        spawn_lookup(self.lookup, first, pending);
    }

    /// The early answer for `name`, once, where it found addresses no older than `max_age`.
    async fn take_early(&self, name: &str) -> Option<Vec<IpAddr>> {
        let receiver = self
            .early
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&name.to_ascii_lowercase())?;
        match receiver.await {
            Ok(Answer {
                addresses: Ok(addresses),
                at,
            }) if !addresses.is_empty() && at.elapsed() < self.max_age => {
                debug!(name, "a first connection took the early answer");
                Some(addresses)
            }
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
            let (owned, lookup) = (name.to_owned(), self.lookup);
            AbortOnDrop(tokio::task::spawn_blocking(move || lookup(&owned)))
                .finish()
                .await
                .map_err(|join| ResolveDnsError::new(io::Error::other(join)))?
                .map_err(ResolveDnsError::new)
        })
    }
}

/// Looks `first` up with `lookup` on a new thread, which first starts one for each of `others`.
///
/// Each thread then stays, parked, for the rest of the process instead of ending. Measured on 2
/// CPUs, a lookup thread that ended while init still ran (glibc gives its stack back, the kernel
/// tears the thread down) cost init about a tenth of hello-world's whole init and 10 page faults
/// (README, Benchmarks); a parked thread keeps the few pages of stack it touched and is never
/// woken.
fn spawn_lookup(
    lookup: Lookup,
    first: (String, oneshot::Sender<Answer>),
    others: Vec<(String, oneshot::Sender<Answer>)>,
) {
    let started = std::thread::Builder::new()
        .name("endpoint-lookup".to_owned())
        .spawn(move || {
            for other in others {
                spawn_lookup(lookup, other, Vec::new());
            }
            let (host, sender) = first;
            let addresses = lookup(&host);
            // The receiver is gone only where a connection stopped waiting for it.
            let _ = sender.send(Answer {
                addresses,
                at: Instant::now(),
            });
            loop {
                std::thread::park();
            }
        });
    if let Err(error) = started {
        warn!(%error, "an endpoint's name is not looked up early: its first connection looks it up itself");
    }
}

/// A lookup on tokio's blocking pool that is not started, if it is still queued, once the
/// connection that asked for it gives up (as hyper's own resolver does).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    async fn finish(mut self) -> Result<T, tokio::task::JoinError> {
        (&mut self.0).await
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Whether the environment sends the AWS calls through a proxy (the variables the SDK's connector
/// reads): the proxy then resolves the endpoints' names, and nothing is looked up early.
pub fn proxied(lookup: impl Fn(&str) -> Option<String>) -> bool {
    [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
    ]
    .into_iter()
    .any(|name| lookup(name).is_some_and(|value| !value.trim().is_empty()))
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
        .build();
    key.ok()
        .and_then(|key| sdk_config.service_config()?.load_config(key))
        .or_else(shared)
}

/// The host the calls of a client of the SDK crate `$sdk`, built from the `SdkConfig` `$config`, go
/// to, as the crate's own endpoint rules resolve it for the service the SDK names `$service_id`
/// ([`EndpointSettings`]), with the crate's further parameters set by `$more` (a function of the
/// crate's `ParamsBuilder`); `None` where the rules refuse the settings. A macro, as every SDK crate
/// has types of its own for the same parameters.
macro_rules! endpoint_host {
    ($sdk:ident, $config:expr, $service_id:literal $(, $more:expr)?) => {{
        use $sdk::config::endpoint::{DefaultResolver, Params, ResolveEndpoint as _};
        let settings = $crate::https::EndpointSettings::of($config, $service_id);
        let params = Params::builder()
            .set_region(settings.region)
            .set_use_fips(settings.use_fips)
            .set_use_dual_stack(settings.use_dual_stack)
            .set_endpoint(settings.endpoint);
        $(let params = ($more)(params);)?
        match params.build() {
            Ok(params) => DefaultResolver::new()
                .resolve_endpoint(&params)
                .await
                .ok()
                .and_then(|endpoint| $crate::https::host_of(endpoint.url())),
            Err(_) => None,
        }
    }};
}
pub(crate) use endpoint_host;

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
            ["127.0.0.1", "::1", "localhost", "LocalHost"]
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
    async fn a_name_is_matched_whatever_its_case() {
        let lookups = EndpointLookups::default();
        lookups.start(["LocalHost".to_owned()]);
        let addresses = lookups.resolve_dns("localHOST").await.expect("localhost");
        assert!(loopback(&addresses), "{addresses:?}");
        assert_eq!(lookups.counts(), (1, 0));
    }

    /// Holds the lookup of `slow.test` until the test opens it.
    static GATE: (Mutex<bool>, std::sync::Condvar) = (Mutex::new(false), std::sync::Condvar::new());

    fn gated_lookup(host: &str) -> io::Result<Vec<IpAddr>> {
        if host == "slow.test" {
            let (open, opened) = &GATE;
            let mut open = open.lock().expect("gate");
            while !*open {
                open = opened.wait(open).expect("gate");
            }
        }
        Ok(vec![IpAddr::from([192, 0, 2, 7])])
    }

    #[tokio::test]
    async fn a_slow_answer_for_one_host_delays_no_other_hosts_connection() {
        let lookups = EndpointLookups {
            lookup: gated_lookup,
            ..EndpointLookups::default()
        };
        lookups.start(
            ["slow.test", "fast.test", "other.test"]
                .into_iter()
                .map(str::to_owned),
        );
        for name in ["fast.test", "other.test"] {
            let answered = tokio::time::timeout(Duration::from_secs(10), lookups.resolve_dns(name))
                .await
                .unwrap_or_else(|_| panic!("{name} waited for slow.test"));
            assert_eq!(answered.expect(name), [IpAddr::from([192, 0, 2, 7])]);
        }
        assert_eq!(lookups.counts(), (2, 0), "both took their early answers");
        let (open, opened) = &GATE;
        *open.lock().expect("gate") = true;
        opened.notify_all();
        lookups.resolve_dns("slow.test").await.expect("slow.test");
        assert_eq!(lookups.counts(), (3, 0));
    }

    #[test]
    fn a_proxy_in_the_environment_turns_the_early_lookups_off() {
        assert!(!proxied(|_| None));
        assert!(!proxied(
            |name| (name == "HTTPS_PROXY").then(|| " ".to_owned())
        ));
        for variable in ["ALL_PROXY", "https_proxy", "HTTP_PROXY"] {
            assert!(proxied(
                |name| (name == variable).then(|| "http://proxy:3128".to_owned())
            ));
        }
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
