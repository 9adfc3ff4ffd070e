//! Property test: whatever a server sends back — any status, odd headers,
//! truncated or mistyped JSON, invalid UTF-8, bodies that are huge or lie
//! about their length — every call ends in `Ok` or a typed `Err`, never a
//! panic, and no error text shows the credential. (Hand-written.)
//!
//! The server is a raw TCP listener writing hand-made HTTP/1.1 responses,
//! so it can send what well-behaved mock servers refuse to. Cases come from
//! a seeded generator: a failure names its seed and is reproducible.

use std::time::Duration;

use almanac_client::types::HostedLoginRefresh;
use almanac_client::{Client, Config, Error, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TOKEN: &str = "tok-DO-NOT-LEAK";
const CASES: u64 = 250;

/// xorshift64*: small, deterministic, good enough to pick cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

fn body(rng: &mut Rng) -> Vec<u8> {
    let tokens = br#"{"access_token":"a","refresh_token":"r","organization_id":null}"#.to_vec();
    match rng.below(12) {
        0 => tokens,
        1 => {
            br#"{"detail":[{"loc":["body",0],"msg":"m","type":"t","input":{"x":[1,2]},"ctx":{}}]}"#
                .to_vec()
        }
        2 => {
            let cut = rng.below(tokens.len() as u64) as usize;
            tokens[..cut].to_vec()
        }
        3 => br#"{"access_token":5,"refresh_token":["r"]}"#.to_vec(),
        4 => br#"{"detail":"not a list"}"#.to_vec(),
        5 => Vec::new(),
        6 => vec![0xff, 0xfe, b'{', 0xc3, 0x28, b'}'],
        7 => (0..rng.below(4096)).map(|_| rng.next() as u8).collect(),
        8 => {
            let depth = 5_000 + rng.below(20_000) as usize;
            let mut nested = "[".repeat(depth).into_bytes();
            nested.extend("]".repeat(depth).into_bytes());
            nested
        }
        9 => vec![b'x'; 200_000],
        10 => format!(
            r#"{{"access_token":"{}","refresh_token":"r"}}"#,
            "é".repeat(30_000)
        )
        .into_bytes(),
        _ => br#"null"#.to_vec(),
    }
}

fn response(rng: &mut Rng) -> Vec<u8> {
    let status = match rng.below(5) {
        0 => rng.pick(&[200u16, 201, 204, 422, 500, 503, 429, 408]),
        1 => rng.pick(&[301u16, 302, 303, 307, 308]),
        2 => 100 + rng.below(500) as u16,
        3 => rng.pick(&[301u16, 302, 304, 401, 404, 418, 501, 599]),
        _ => 200,
    };
    let body = body(rng);
    let mut head = format!("HTTP/1.1 {status} Whatever\r\n");
    match rng.below(4) {
        0 => head.push_str(&format!("content-length: {}\r\n", body.len())),
        1 => head.push_str(&format!(
            "content-length: {}\r\n",
            body.len() + 1 + rng.below(1000) as usize
        )),
        2 => head.push_str(&format!("content-length: {}\r\n", body.len() / 2)),
        _ => {} // delimited by closing the connection
    }
    head.push_str(rng.pick(&[
        "content-type: application/json\r\n",
        "content-type: text/html; charset=latin1\r\n",
        "content-type: application/json; charset=utf-16\r\n",
        "",
    ]));
    head.push_str(rng.pick(&[
        "retry-after: 0\r\n",
        "retry-after: Wed, 21 Oct 2015 07:28:00 GMT\r\n",
        "retry-after: soon\r\n",
        "retry-after: 99999999999999999999\r\n",
        "retry-after: 18446744073709551615\r\n",
        "retry-after: -5\r\n",
        "retry-after: Sun, 06 Nov 300000000000 08:49:37 GMT\r\n",
        "retry-after: Sun, 06 Nov -300000000000 08:49:37 GMT\r\n",
        "retry-after: Sun, 06 Nov 1994 -08:49:37 GMT\r\n",
        "retry-after: Fri, 31 Dec 9999 23:59:60 GMT\r\n",
        "retry-after: Sun, 99999999999999999999 Nov 1994 08:49:37 GMT\r\n",
        "",
    ]));
    // Redirects: to nowhere, to the same server (a loop), to odd schemes.
    head.push_str(rng.pick(&[
        "location: http://127.0.0.1:1/elsewhere\r\n",
        "location: /v1/auth/token/refresh\r\n",
        "location: //other.invalid/x\r\n",
        "location: javascript:alert(1)\r\n",
        "location: \r\n",
        "location: http://[::1\r\n",
        "",
        "",
    ]));
    head.push_str(rng.pick(&[
        "x-request-id: abc-123\r\n",
        "x-request-id: \r\n",
        "set-cookie: session=also-secret\r\n",
        "",
    ]));
    head.push_str("connection: close\r\n\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend(body);
    bytes
}

/// Serves `response` to every connection until the test ends.
async fn serve(response: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let response = response.clone();
            tokio::spawn(async move {
                // Read the request head (and whatever body came with it).
                let mut buffer = vec![0u8; 16 * 1024];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buffer[..n]),
                    }
                }
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn every_response_ends_in_ok_or_a_typed_error() {
    let mut outcomes = [0usize; 2];
    for seed in 1..=CASES {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let url = serve(response(&mut rng)).await;
        // Sometimes without a cap on the backoff: a server's Retry-After
        // then reaches the overflow-prone arithmetic unclamped.
        let max_backoff = if rng.below(3) == 0 {
            Duration::MAX
        } else {
            Duration::from_millis(5)
        };
        let retry = RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            max_backoff,
            max_elapsed: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        let config = Config {
            timeout: Some(Duration::from_secs(2)),
            max_body_bytes: 64 * 1024,
            retry,
            ..Config::default()
        };
        let client = Client::with_base_url(url)
            .with_bearer_token(TOKEN)
            .with_config(config);
        let client = if rng.below(2) == 0 {
            client.assume_idempotent()
        } else {
            client
        };

        let call = tokio::spawn(async move {
            let body = HostedLoginRefresh {
                refresh_token: "r".into(),
                organization_id: almanac_client::Nullable::Absent,
            };
            client.refresh_token(&body).await
        });
        let result = match call.await {
            Ok(result) => result,
            Err(join) => panic!("seed {seed}: the client panicked: {join}"),
        };
        match result {
            Ok(tokens) => {
                outcomes[0] += 1;
                assert_eq!(
                    tokens.status().as_u16() / 100,
                    2,
                    "seed {seed}: only 2xx decode as success"
                );
            }
            Err(error) => {
                outcomes[1] += 1;
                for text in [error.to_string(), format!("{error:?}")] {
                    assert!(!text.contains(TOKEN), "seed {seed}: credential in {text}");
                    assert!(
                        text.len() < 4096,
                        "seed {seed}: error text is not bounded: {} bytes",
                        text.len()
                    );
                }
                if let Error::Api { status, .. } = &error {
                    assert_eq!(
                        status.as_u16(),
                        422,
                        "seed {seed}: only 422 is a declared error"
                    );
                }
            }
        }
    }
    // The generator really produced both kinds of outcome.
    assert!(
        outcomes[0] > 0 && outcomes[1] > CASES as usize / 2,
        "outcomes {outcomes:?}"
    );
}
