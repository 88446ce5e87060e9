//! `FunctionProcess`: one bootstrap process under the local Runtime API, started with Lambda's
//! environment, invoked event by event, its log lines collected.

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::runtime_api::{PendingEvent, Posted, RuntimeApi};

const READY_TIMEOUT: Duration = Duration::from_secs(30);
const INVOKE_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a function did not come up.
#[derive(Debug)]
pub enum StartError {
    Io(std::io::Error),
    /// The process ended before it asked for an event (a start-up failure), with what it posted to
    /// `/init/error`, if anything.
    Exited {
        status: ExitStatus,
        logs: Vec<String>,
        init_error: Option<Value>,
    },
    /// It neither asked for an event nor ended in time.
    NoPoll {
        logs: Vec<String>,
    },
}

/// What one invocation came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The function posted a response (for an HTTP function: the event source's response JSON).
    Response(Value),
    /// The function posted an invocation error (`errorType`, `errorMessage`).
    Error(Value),
    /// The process ended during the invocation.
    Exited(Option<i32>),
    TimedOut,
}

#[derive(Debug, Clone)]
pub struct Invocation {
    pub request_id: String,
    pub outcome: Outcome,
    /// From handing the event over to receiving the answer.
    pub latency: Duration,
}

pub struct FunctionProcess {
    runtime: RuntimeApi,
    child: Child,
    started: Instant,
    logs: Arc<Mutex<Vec<String>>>,
    readers: Vec<JoinHandle<()>>,
    function_arn: String,
    invocations: u64,
}

impl FunctionProcess {
    /// Starts `binary` as Lambda would (Runtime API address, function name, memory, version, region;
    /// nothing else from this process's environment), adds `env`, and waits for its first poll.
    pub async fn start(
        binary: impl AsRef<Path>,
        function_name: &str,
        env: &[(&str, &str)],
    ) -> Result<Self, StartError> {
        let runtime = RuntimeApi::start().await.map_err(StartError::Io)?;
        let mut command = Command::new(binary.as_ref());
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_LAMBDA_RUNTIME_API", runtime.address.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", function_name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env(
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{function_name}"),
            )
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/22/[$LATEST]local")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let started = Instant::now();
        let mut child = command.spawn().map_err(StartError::Io)?;
        let logs = Arc::new(Mutex::new(Vec::new()));
        let mut readers = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            readers.push(collect_lines(stdout, Arc::clone(&logs)));
        }
        if let Some(stderr) = child.stderr.take() {
            readers.push(collect_lines(stderr, Arc::clone(&logs)));
        }
        let mut process = Self {
            runtime,
            child,
            started,
            logs,
            readers,
            function_arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{function_name}"),
            invocations: 0,
        };
        process.wait_for_first_poll().await?;
        Ok(process)
    }

    async fn wait_for_first_poll(&mut self) -> Result<(), StartError> {
        self.wait_for_polls(1).await
    }

    /// Waits until the function has asked for an event `polls` times in all: after an invocation's
    /// answer, `invocations + 1` means it has finished the invocation and is idle again.
    pub async fn wait_for_polls(&mut self, polls: u64) -> Result<(), StartError> {
        let polled = Arc::clone(&self.runtime.polled);
        loop {
            let notified = polled.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.runtime.polls() >= polls {
                return Ok(());
            }
            tokio::select! {
                () = &mut notified => {}
                status = self.child.wait() => {
                    return match status {
                        Ok(status) => {
                            for reader in self.readers.drain(..) {
                                let _ = reader.await;
                            }
                            Err(StartError::Exited {
                                status,
                                logs: self.logs(),
                                init_error: self.runtime.init_error(),
                            })
                        }
                        Err(error) => Err(StartError::Io(error)),
                    };
                }
                () = tokio::time::sleep(READY_TIMEOUT) => {
                    return Err(StartError::NoPoll { logs: self.logs() });
                }
            }
        }
    }

    /// From starting the process to its first `next` poll.
    pub fn cold_start(&self) -> Option<Duration> {
        self.runtime
            .first_poll()
            .map(|polled| polled.duration_since(self.started))
    }

    /// The processor time the function's process has used so far, every thread's (Linux's
    /// `/proc/<pid>/task/*/schedstat`, in nanoseconds): its own work, without the time it waited
    /// for the Runtime API or an upstream, or what those spent answering it.
    pub fn cpu_time(&self) -> Option<Duration> {
        let pid = self.child.id()?;
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
        let mut nanoseconds: u64 = 0;
        for task in tasks.flatten() {
            let schedstat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
            nanoseconds += schedstat.split_whitespace().next()?.parse::<u64>().ok()?;
        }
        Some(Duration::from_nanos(nanoseconds))
    }

    /// The names of the function's threads that are still there (Linux's
    /// `/proc/<pid>/task/*/comm`), in no particular order.
    pub fn thread_names(&self) -> Vec<String> {
        let Some(tasks) = self
            .child
            .id()
            .and_then(|pid| std::fs::read_dir(format!("/proc/{pid}/task")).ok())
        else {
            return Vec::new();
        };
        tasks
            .flatten()
            .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
            .map(|name| name.trim_end().to_owned())
            .collect()
    }

    /// The page faults the function's process has taken so far, minor and major (Linux's
    /// `/proc/<pid>/stat`): each is a trip into the kernel to map a page of the binary, or to give
    /// the heap or a stack a fresh one.
    pub fn page_faults(&self) -> Option<u64> {
        let pid = self.child.id()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The fields after the command name, which is in parentheses and may hold spaces.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let minor: u64 = fields.get(7)?.parse().ok()?;
        let major: u64 = fields.get(9)?.parse().ok()?;
        Some(minor + major)
    }

    /// Hands `event` to the function and waits for its answer.
    pub async fn invoke(&mut self, event: Value) -> Invocation {
        self.invocations += 1;
        let request_id = format!("00000000-0000-4000-a000-{:012x}", self.invocations);
        let (answer, answered) = oneshot::channel();
        let handed = Instant::now();
        let pending = PendingEvent {
            request_id: request_id.clone(),
            function_arn: self.function_arn.clone(),
            event,
            answer,
        };
        let outcome = if self.runtime.events.send(pending).is_err() {
            Outcome::Exited(None)
        } else {
            tokio::select! {
                posted = answered => match posted {
                    Ok(Posted::Response(body)) => Outcome::Response(body),
                    Ok(Posted::Error(body)) => Outcome::Error(body),
                    Err(_) => Outcome::Exited(None),
                },
                status = self.child.wait() => Outcome::Exited(status.ok().and_then(|s| s.code())),
                () = tokio::time::sleep(INVOKE_TIMEOUT) => Outcome::TimedOut,
            }
        };
        Invocation {
            request_id,
            outcome,
            latency: handed.elapsed(),
        }
    }

    /// Ends the process and waits until it has exited, so that whatever is measured next does not
    /// share the machine with its teardown.
    pub async fn stop(mut self) -> std::io::Result<()> {
        self.child.kill().await
    }

    /// Ends the process with SIGTERM, as Lambda ends an instance, and waits until it has exited: a
    /// process under a profiler (valgrind) writes its profile on the way out, which SIGKILL would
    /// not let it do.
    pub async fn terminate(mut self) -> std::io::Result<ExitStatus> {
        if let Some(pid) = self.child.id() {
            Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await?;
        }
        self.child.wait().await
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Every line the process wrote to stdout and stderr so far.
    pub fn logs(&self) -> Vec<String> {
        self.logs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn collect_lines(
    stream: impl AsyncRead + Unpin + Send + 'static,
    logs: Arc<Mutex<Vec<String>>>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            logs.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(line);
        }
    })
}
