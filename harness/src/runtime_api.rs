//! The Runtime API server: a queue of events the function long-polls, and the answers it posts back.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::JoinHandle;

const PREFIX: &str = "/2018-06-01/runtime";
const DEADLINE: Duration = Duration::from_secs(60);

/// What the function posted for one invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Posted {
    Response(Value),
    Error(Value),
}

pub(crate) struct PendingEvent {
    pub request_id: String,
    pub function_arn: String,
    pub event: Value,
    pub answer: oneshot::Sender<Posted>,
}

#[derive(Default)]
struct Shared {
    waiting: HashMap<String, oneshot::Sender<Posted>>,
    first_poll: Option<Instant>,
    polls: u64,
    init_error: Option<Value>,
}

/// The server and the channel that feeds it events.
pub(crate) struct RuntimeApi {
    pub address: SocketAddr,
    pub events: mpsc::UnboundedSender<PendingEvent>,
    shared: Arc<Mutex<Shared>>,
    pub polled: Arc<Notify>,
    acceptor: JoinHandle<()>,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

impl RuntimeApi {
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let address = listener.local_addr()?;
        let (events, queue) = mpsc::unbounded_channel::<PendingEvent>();
        let queue = Arc::new(tokio::sync::Mutex::new(queue));
        let shared = Arc::new(Mutex::new(Shared::default()));
        let polled = Arc::new(Notify::new());
        let context = Context {
            queue,
            shared: Arc::clone(&shared),
            polled: Arc::clone(&polled),
        };
        let acceptor = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let context = context.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let context = context.clone();
                        async move { Ok::<_, Infallible>(context.answer(request).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self {
            address,
            events,
            shared,
            polled,
            acceptor,
        })
    }

    pub fn first_poll(&self) -> Option<Instant> {
        self.lock().first_poll
    }

    /// How many times the function has asked for an event.
    pub fn polls(&self) -> u64 {
        self.lock().polls
    }

    pub fn init_error(&self) -> Option<Value> {
        self.lock().init_error.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Clone)]
struct Context {
    queue: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<PendingEvent>>>,
    shared: Arc<Mutex<Shared>>,
    polled: Arc<Notify>,
}

impl Context {
    async fn answer(&self, request: Request<Incoming>) -> Response<String> {
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let body = request
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let Some(route) = path.strip_prefix(PREFIX) else {
            return status(StatusCode::NOT_FOUND);
        };
        match (method, route) {
            (Method::GET, "/invocation/next") => self.next().await,
            (Method::POST, "/init/error") => {
                self.lock().init_error = Some(body);
                status(StatusCode::ACCEPTED)
            }
            (Method::POST, route) => match route
                .strip_prefix("/invocation/")
                .and_then(|r| r.split_once('/'))
            {
                Some((id, "response")) => self.post(id, Posted::Response(body)),
                Some((id, "error")) => self.post(id, Posted::Error(body)),
                _ => status(StatusCode::NOT_FOUND),
            },
            _ => status(StatusCode::NOT_FOUND),
        }
    }

    async fn next(&self) -> Response<String> {
        {
            let mut shared = self.lock();
            shared.first_poll.get_or_insert_with(Instant::now);
            shared.polls += 1;
        }
        self.polled.notify_waiters();
        let Some(pending) = self.queue.lock().await.recv().await else {
            return status(StatusCode::GONE);
        };
        let deadline = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|now| (now + DEADLINE).as_millis())
            .unwrap_or_default();
        self.lock()
            .waiting
            .insert(pending.request_id.clone(), pending.answer);
        let mut response = Response::new(pending.event.to_string());
        let headers = response.headers_mut();
        let pairs = [
            ("content-type", "application/json".to_owned()),
            ("lambda-runtime-aws-request-id", pending.request_id),
            ("lambda-runtime-deadline-ms", deadline.to_string()),
            ("lambda-runtime-invoked-function-arn", pending.function_arn),
            (
                "lambda-runtime-trace-id",
                "Root=1-00000000-000000000000000000000000;Sampled=0".to_owned(),
            ),
        ];
        for (name, value) in pairs {
            if let Ok(value) = value.parse() {
                headers.insert(name, value);
            }
        }
        response
    }

    fn post(&self, request_id: &str, posted: Posted) -> Response<String> {
        match self.lock().waiting.remove(request_id) {
            Some(answer) => {
                let _ = answer.send(posted);
                status(StatusCode::ACCEPTED)
            }
            None => status(StatusCode::BAD_REQUEST),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn status(code: StatusCode) -> Response<String> {
    let mut response = Response::new(String::new());
    *response.status_mut() = code;
    response
}
