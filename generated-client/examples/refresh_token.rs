//! Exchanges a refresh token for a new pair of tokens.
//!
//! ```sh
//! ALMANAC_REFRESH_TOKEN=... cargo run -p almanac-client --example refresh_token
//! ```
//!
//! `ALMANAC_BASE_URL` overrides the server (default: the spec's first
//! server), `ALMANAC_API_KEY` sets a bearer token, and
//! `ALMANAC_ORGANIZATION_ID` picks an organization.

use almanac_client::types::HostedLoginRefresh;
use almanac_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut client = match std::env::var("ALMANAC_BASE_URL") {
        Ok(url) => Client::with_base_url(url),
        Err(_) => Client::new(),
    };
    if let Ok(key) = std::env::var("ALMANAC_API_KEY") {
        client = client.with_bearer_token(key);
    }
    let refresh_token =
        std::env::var("ALMANAC_REFRESH_TOKEN").map_err(|_| "set ALMANAC_REFRESH_TOKEN")?;
    let body = HostedLoginRefresh {
        refresh_token,
        organization_id: std::env::var("ALMANAC_ORGANIZATION_ID").ok().into(),
    };

    match client.refresh_token(&body).await {
        Ok(tokens) => {
            // `Debug` redacts the tokens themselves.
            println!("refreshed ({}): {:?}", tokens.status(), *tokens);
            Ok(())
        }
        Err(Error::Api { body, .. }) => {
            eprintln!("the server rejected the request: {body:?}");
            Err("validation failed".into())
        }
        Err(other) => Err(other.into()),
    }
}
