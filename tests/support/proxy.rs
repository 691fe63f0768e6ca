//! An HTTP/1.1 proxy between devices and central that injects the network's faults: dropped
//! connections, delays, 502/503/429 answers, resets in the middle of a response, truncated bodies,
//! requests delivered twice, answers lost after central applied the request, and answers held
//! forever (for killing the device while it waits).
//!
//! Each request gets its own upstream connection (`connection: close`), so a fault affects exactly
//! one request.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Plan {
    /// Forward everything.
    Pass,
    /// Each request meets a fault with probability `rate` (the kinds in turn).
    Random { rate: f64 },
    /// Forward requests to `path`, then never answer (the connection stays open).
    HoldAfterForward { path: &'static str },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    Pass,
    Drop,
    Delay,
    Status502,
    Status503,
    Status429,
    ResetMidResponse,
    TruncateBody,
    Twice,
    AnswerLost,
    Hold,
}

/// Every kind of fault the proxy injects.
pub const FAULTS: [Fault; 9] = [
    Fault::Drop,
    Fault::Delay,
    Fault::Status502,
    Fault::Status503,
    Fault::Status429,
    Fault::ResetMidResponse,
    Fault::TruncateBody,
    Fault::Twice,
    Fault::AnswerLost,
];

#[derive(Default)]
struct Shared {
    plan: Option<Plan>,
    counts: BTreeMap<Fault, usize>,
    /// Faults are dealt in turn, so that a run of any length meets every kind.
    next_fault: usize,
}

pub struct Proxy {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    /// Signalled each time a request was forwarded and its answer is being held.
    pub held: Arc<tokio::sync::Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr, plan: Plan) -> Proxy {
        Self::start_many(vec![upstream], plan).await
    }

    /// A proxy that sends each request to the next of `upstreams` in turn (central's replicas).
    pub async fn start_many(upstreams: Vec<SocketAddr>, plan: Plan) -> Proxy {
        let upstreams = Arc::new(upstreams);
        let turn = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let shared = Arc::new(Mutex::new(Shared { plan: Some(plan), ..Shared::default() }));
        let held = Arc::new(tokio::sync::Notify::new());
        let task = {
            let (shared, held) = (shared.clone(), held.clone());
            tokio::spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    let (shared, held) = (shared.clone(), held.clone());
                    let n = turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let upstream = upstreams[n % upstreams.len()];
                    tokio::spawn(async move {
                        let _ = handle(client, upstream, shared, held).await;
                    });
                }
            })
        };
        Proxy { url, shared, held, task }
    }

    pub fn set_plan(&self, plan: Plan) {
        self.shared.lock().expect("lock").plan = Some(plan);
    }

    /// How many requests met each fault so far.
    pub fn counts(&self) -> BTreeMap<Fault, usize> {
        self.shared.lock().expect("lock").counts.clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one HTTP/1.1 request: the head and a `content-length` body.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut buf = Vec::new();
    let mut chunk = [0_u8; 8192];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Some((head, body)))
}

/// Sends the request upstream on a fresh connection and reads the whole answer.
async fn forward(upstream: SocketAddr, head: &str, body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut rewritten = String::new();
    for line in head.trim_end_matches("\r\n").split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            rewritten.push_str(line);
            rewritten.push_str("\r\n");
        }
    }
    rewritten.push_str("connection: close\r\n\r\n");
    let mut conn = TcpStream::connect(upstream).await?;
    conn.write_all(rewritten.as_bytes()).await?;
    conn.write_all(body).await?;
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer).await?;
    Ok(answer)
}

fn status_answer(code: u16, reason: &str) -> Vec<u8> {
    let body = format!(r#"{{"code":"proxy","message":"{reason} (injected by the test proxy)"}}"#);
    format!(
        "HTTP/1.1 {code} {reason}\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn handle(
    mut client: TcpStream,
    upstream: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    held: Arc<tokio::sync::Notify>,
) -> std::io::Result<()> {
    let Some((head, body)) = read_request(&mut client).await? else { return Ok(()) };
    let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
    let fault = {
        let mut shared = shared.lock().expect("lock");
        let fault = match shared.plan.unwrap_or(Plan::Pass) {
            Plan::Pass => Fault::Pass,
            Plan::Random { rate } if fastrand::f64() < rate => {
                shared.next_fault += 1;
                FAULTS[shared.next_fault % FAULTS.len()]
            }
            Plan::Random { .. } => Fault::Pass,
            Plan::HoldAfterForward { path: held_path } if path.starts_with(held_path) => Fault::Hold,
            Plan::HoldAfterForward { .. } => Fault::Pass,
        };
        *shared.counts.entry(fault).or_default() += 1;
        fault
    };
    match fault {
        Fault::Drop => return Ok(()),
        Fault::Status502 => client.write_all(&status_answer(502, "Bad Gateway")).await?,
        Fault::Status503 => client.write_all(&status_answer(503, "Service Unavailable")).await?,
        Fault::Status429 => client.write_all(&status_answer(429, "Too Many Requests")).await?,
        Fault::Delay => {
            tokio::time::sleep(Duration::from_millis(fastrand::u64(50..400))).await;
            client.write_all(&forward(upstream, &head, &body).await?).await?;
        }
        Fault::Pass => client.write_all(&forward(upstream, &head, &body).await?).await?,
        Fault::Twice => {
            // Both deliveries race each other at central; the device gets the second answer.
            let (first, second) =
                tokio::join!(forward(upstream, &head, &body), forward(upstream, &head, &body));
            let _ = first;
            client.write_all(&second?).await?;
        }
        Fault::ResetMidResponse => {
            let answer = forward(upstream, &head, &body).await?;
            client.write_all(&answer[..answer.len() / 2]).await?;
            // Closing with unread data pending in neither direction: the client sees the answer
            // stop in the middle (a reset from its point of view).
            drop(client);
            return Ok(());
        }
        Fault::TruncateBody => {
            let answer = forward(upstream, &head, &body).await?;
            let cut = answer.len().saturating_sub(7).max(1);
            client.write_all(&answer[..cut]).await?;
        }
        Fault::AnswerLost => {
            forward(upstream, &head, &body).await?;
            return Ok(());
        }
        Fault::Hold => {
            forward(upstream, &head, &body).await?;
            held.notify_one();
            std::future::pending::<()>().await;
        }
    }
    client.shutdown().await
}
