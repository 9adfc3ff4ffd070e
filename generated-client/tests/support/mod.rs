//! What the hostile-server tests share (hand-written): the secrets they
//! look for in error text, the refresh body that carries one, and a mock
//! server answering the refresh call.

#![allow(dead_code)] // each test file uses its own part

use almanac_client::Error;
use almanac_client::types::{HostedLoginRefresh, RefreshTokenError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const REFRESH_PATH: &str = "/v1/auth/token/refresh";
pub const ACCESS: &str = "acc-SECRET-1";
pub const REFRESH: &str = "ref-SECRET-2";
pub const BEARER: &str = "bearer-SECRET-3";

pub fn refresh_body() -> HostedLoginRefresh {
    HostedLoginRefresh {
        refresh_token: REFRESH.into(),
        organization_id: almanac_client::Nullable::Absent,
    }
}

/// A server answering every refresh call with `response`.
pub async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// Every text an error can be printed as.
pub fn texts(error: &Error<RefreshTokenError>) -> [String; 3] {
    [
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#?}"),
    ]
}
