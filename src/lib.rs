//! threadlens

pub mod export;
