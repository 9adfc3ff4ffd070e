//! The `mock` feature as a user of the Almanac client would use it: a test
//! of the user's own code, with no network. (Hand-written; the README shows
//! the same test.)

use almanac_client::mock::MockServer;
use almanac_client::types::{
    HostedLoginRefresh, HostedLoginToken, HttpValidationError, RefreshTokenError, ValidationError,
    ValidationErrorLocItem,
};
use almanac_client::{Client, Error};

/// The user's code under test: swaps a refresh token for a new session,
/// and says why when the server refuses it.
async fn renew_session(client: &Client, refresh_token: &str) -> Result<String, String> {
    let request = HostedLoginRefresh {
        refresh_token: refresh_token.into(),
        organization_id: almanac_client::Nullable::Absent,
    };
    match client.refresh_token(&request).await {
        Ok(tokens) => Ok(tokens.into_inner().access_token),
        Err(Error::Api {
            body: RefreshTokenError::UnprocessableEntity(invalid),
            ..
        }) => Err(invalid
            .detail
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.msg)
            .collect::<Vec<_>>()
            .join("; ")),
        Err(other) => Err(other.to_string()),
    }
}

fn refresh(token: &str) -> HostedLoginRefresh {
    HostedLoginRefresh {
        refresh_token: token.into(),
        organization_id: almanac_client::Nullable::Absent,
    }
}

#[tokio::test]
async fn renew_session_succeeds_then_reports_a_refused_token() {
    let server = MockServer::start().await;
    server
        .refresh_token()
        .with_body(&refresh("r-1"))
        .times(1)
        .expect(1)
        .respond_ok(&HostedLoginToken {
            access_token: "a-2".into(),
            refresh_token: "r-2".into(),
            organization_id: None,
        })
        .await;
    server
        .refresh_token()
        .expect(1)
        .respond_error(RefreshTokenError::UnprocessableEntity(
            HttpValidationError {
                detail: Some(vec![ValidationError {
                    loc: vec![ValidationErrorLocItem::String("body".into())],
                    msg: "refresh token already used".into(),
                    type_: "value_error".into(),
                    ctx: None,
                    input: None,
                }]),
            },
        ))
        .await;
    let client = server.client();

    assert_eq!(renew_session(&client, "r-1").await, Ok("a-2".into()));
    assert_eq!(
        renew_session(&client, "r-1").await,
        Err("refresh token already used".into())
    );
}

/// A body matcher that does not match lets the call fall through to the
/// server's default 404, which the client reports as unexpected.
#[tokio::test]
async fn a_mock_matches_only_its_body() {
    let server = MockServer::start().await;
    server
        .refresh_token()
        .with_body(&refresh("r-1"))
        .respond_status(200)
        .await;

    let error = server
        .client()
        .refresh_token(&refresh("other"))
        .await
        .unwrap_err();

    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
}
