//! Issue #13 tests (filled in by this work).
