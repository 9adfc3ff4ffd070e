//! Stays logged in with a [`Session`]: logs in with the refresh token the
//! app stored last time, works from several tasks at once, and stores every
//! rotated refresh token before it is used. (Hand-written.)
//!
//! ```sh
//! echo "$REFRESH_TOKEN" > almanac-refresh-token
//! cargo run -p almanac-client --example session
//! ```
//!
//! `ALMANAC_BASE_URL` overrides the server, `ALMANAC_TOKEN_FILE` the file
//! (default `almanac-refresh-token`), `ALMANAC_API_KEY` sets the bearer the
//! refresh call carries (default: the current access token) and
//! `ALMANAC_ORGANIZATION_ID` picks an organisation.

use std::path::PathBuf;

use almanac_client::Client;
use almanac_client::extra::Session;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = match std::env::var("ALMANAC_BASE_URL") {
        Ok(url) => Client::with_base_url(url),
        Err(_) => Client::new(),
    };
    let file = PathBuf::from(
        std::env::var("ALMANAC_TOKEN_FILE").unwrap_or_else(|_| "almanac-refresh-token".into()),
    );
    let refresh_token = std::fs::read_to_string(&file)?;

    let mut session = Session::builder(client.clone(), refresh_token.trim()).on_rotate({
        let file = file.clone();
        // Runs before any call uses the new pair; the old refresh token is
        // already revoked, so the new one must be on disk first. Written
        // aside and renamed, so a crash never leaves half a token.
        move |pair| {
            let temp = file.with_extension("new");
            std::fs::write(&temp, pair.refresh_token.expose())?;
            std::fs::rename(&temp, &file)?;
            Ok(())
        }
    });
    if let Ok(key) = std::env::var("ALMANAC_API_KEY") {
        session = session.refresh_bearer(key);
    }
    if let Ok(organization) = std::env::var("ALMANAC_ORGANIZATION_ID") {
        session = session.organization_id(organization);
    }
    let session = session.build()?;
    // Every operation of this client (and of its clones) sends the
    // session's access token; a 401 refreshes once and repeats the call.
    let client = session.authorize(client);
    println!("client: {client:?}");

    // Four tasks at once: however many need a token, one refresh is sent.
    // (The spec's one operation is the refresh itself, so these ask the
    // session for the token, as code calling endpoints the spec does not
    // describe yet would.)
    let tasks: Vec<_> = (0..4)
        .map(|task| {
            let session = session.clone();
            tokio::spawn(async move { (task, session.access_token().await) })
        })
        .collect();
    for handle in tasks {
        match handle.await? {
            (task, Ok(_token)) => println!("task {task}: logged in"),
            (_, Err(error)) if error.needs_login() => return Err(format!("{error}").into()),
            (task, Err(error)) => eprintln!("task {task}: {error}"),
        }
    }
    Ok(())
}
