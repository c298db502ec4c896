//! The app's integration tests: one binary (one link), one module per concern.
#![cfg(feature = "ssr")]

mod hostile_input;
mod logs;
mod metrics;
mod registry;
mod session_resilience;
mod shutdown;
mod startup;
mod support;
mod token_reuse;
