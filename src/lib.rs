//! threadlens
