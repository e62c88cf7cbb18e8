//! The client against a real HTTPS central: a self-signed certificate made at test time, a
//! TLS listener on a loopback port, and a minimal HTTP/1.1 answer to a pull.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use fieldpost_sync::PullQuery;
use fieldpost_sync::client::{Client, ClientError};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

const PULL_REPLY: &str = r#"{"changes":[],"cursor":7,"more":false}"#;

/// Reads one request's head and answers it with an empty pull page.
async fn answer(mut stream: impl AsyncRead + AsyncWrite + Unpin) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let reply = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{PULL_REPLY}",
        PULL_REPLY.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Serves HTTPS on a loopback port with a fresh self-signed certificate for localhost and
/// 127.0.0.1; returns the base URL and the certificate's PEM.
async fn https_central() -> (String, String) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let pem = certified.cert.pem();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(certified.cert.der().to_vec())],
        key,
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing to answer.
                if let Ok(tls) = acceptor.accept(tcp).await {
                    answer(tls).await;
                }
            });
        }
    });
    (format!("https://127.0.0.1:{port}"), pem)
}

fn query() -> PullQuery {
    PullQuery {
        after: 0,
        limit: None,
    }
}

#[tokio::test]
async fn a_client_trusting_the_centrals_certificate_pulls_over_https() {
    let (url, pem) = https_central().await;
    let client = Client::with_root_certificate_pem(&url, Some("t".into()), pem.as_bytes()).unwrap();
    let reply = client.pull(query()).await.unwrap();
    assert_eq!(reply.cursor, 7);
    assert!(reply.changes.is_empty());
}

#[tokio::test]
async fn a_client_without_the_certificate_is_refused_in_plain_words() {
    let (url, _) = https_central().await;
    let client = Client::new(&url, Some("t".into())).unwrap();
    match client.pull(query()).await {
        Err(ClientError::Tls(message)) => {
            assert!(
                message.contains("certificate is not trusted"),
                "message: {message}"
            );
        }
        other => panic!("expected a TLS refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn plain_http_still_works() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(answer(tcp));
        }
    });
    let reply = Client::new(&url, None)
        .unwrap()
        .pull(query())
        .await
        .unwrap();
    assert_eq!(reply.cursor, 7);
}

#[test]
fn a_bad_root_certificate_is_named() {
    for pem in [
        &b"not a certificate"[..],
        b"-----BEGIN CERTIFICATE-----\n!!\n",
    ] {
        match Client::with_root_certificate_pem("https://127.0.0.1:1", None, pem) {
            Err(ClientError::Setup(message)) => {
                assert!(message.contains("root certificate"), "message: {message}");
            }
            other => panic!("expected a setup error, got {other:?}"),
        }
    }
}
