//! A stand-in for central that answers pushes as a test scripts them: for answers the real central
//! never gives (a result the device cannot read, a whole batch refused), to prove what the device
//! does with them. The change feed is always empty.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Given the pushed events (`events` of the request body), the HTTP status and body to answer.
pub type Script = Box<dyn Fn(&[Value]) -> (u16, Value) + Send + Sync>;

pub struct FakeCentral {
    pub url: String,
    script: Arc<Mutex<Script>>,
    /// How many events each push carried, in order.
    pub pushes: Arc<Mutex<Vec<usize>>>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeCentral {
    pub async fn start(script: Script) -> FakeCentral {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let script = Arc::new(Mutex::new(script));
        let pushes = Arc::new(Mutex::new(Vec::new()));
        let task = {
            let (script, pushes) = (script.clone(), pushes.clone());
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let (script, pushes) = (script.clone(), pushes.clone());
                    tokio::spawn(async move { answer(stream, &script, &pushes).await });
                }
            })
        };
        FakeCentral { url, script, pushes, task }
    }

    /// Answers from now on as `script` says.
    pub fn answer_with(&self, script: Script) {
        *self.script.lock().expect("lock") = script;
    }
}

impl Drop for FakeCentral {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Each event answered `applied` with `result`.
pub fn applied_with(result: Value) -> Script {
    Box::new(move |events| {
        let results: Vec<Value> = events
            .iter()
            .map(|e| json!({ "event_id": e["event_id"], "status": "applied", "result": result }))
            .collect();
        (200, json!({ "results": results }))
    })
}

async fn answer(mut stream: TcpStream, script: &Mutex<Script>, pushes: &Mutex<Vec<usize>>) {
    let mut request = Vec::new();
    let mut buf = [0u8; 8192];
    let (head, body) = loop {
        let Ok(n) = stream.read(&mut buf).await else { return };
        if n == 0 {
            return;
        }
        request.extend_from_slice(&buf[..n]);
        let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&request[..end]).to_string();
        let length = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string())
            })
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        if request.len() >= end + 4 + length {
            break (head, request[end + 4..end + 4 + length].to_vec());
        }
    };
    let (status, reply) = if head.starts_with("POST /v1/events") {
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let events = body["events"].as_array().cloned().unwrap_or_default();
        pushes.lock().expect("lock").push(events.len());
        let script = script.lock().expect("lock");
        script(&events)
    } else if head.starts_with("GET /v1/snapshot") {
        (200, json!({ "changes": [], "head": 0, "has_more": false, "total": 0 }))
    } else {
        (200, json!({ "changes": [], "next_cursor": 0, "has_more": false }))
    };
    let text = reply.to_string();
    let response = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
