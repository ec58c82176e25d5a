"""Stand-ins for the outside world (an Ollama server, NVML) that tests and benchmarks run on loopback."""
