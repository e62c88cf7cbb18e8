//! Integration tests of fieldpost-domain.

mod typescript;
