"""A stand-in HTTP server speaking each supported platform's API (tests, demo, benchmarks). See README.md."""
