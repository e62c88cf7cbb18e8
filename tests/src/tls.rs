//! An HTTPS front for a central on loopback, as a reverse proxy on a secretariat's server would
//! be: it terminates TLS with a self-signed certificate made on the spot (standing in for one
//! from the secretariat's own CA) and forwards each connection to the central's plain port.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A TLS front serving until dropped.
#[derive(Debug)]
pub struct TlsFront {
    /// `https://127.0.0.1:PORT`.
    pub url: String,
    /// The front's certificate, as PEM: what a tablet must trust.
    pub certificate_pem: String,
    task: JoinHandle<()>,
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TlsFront {
    /// Serves HTTPS on a loopback port for 127.0.0.1 and localhost, forwarding to `backend`
    /// (e.g. a [`crate::central::TestCentral`]'s `http://127.0.0.1:PORT`).
    pub async fn start(backend: &str) -> anyhow::Result<TlsFront> {
        let backend: SocketAddr = backend
            .trim_start_matches("http://")
            .parse()
            .with_context(|| format!("backend {backend} is not http://IP:PORT"))?;
        let certified =
            rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        ));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(certified.cert.der().to_vec())],
            key,
        )?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A client that refuses the certificate ends the handshake: nothing to
                    // forward.
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    if let Ok(mut plain) = TcpStream::connect(backend).await {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                    }
                });
            }
        });
        Ok(TlsFront {
            url: format!("https://127.0.0.1:{port}"),
            certificate_pem: certified.cert.pem(),
            task,
        })
    }
}
