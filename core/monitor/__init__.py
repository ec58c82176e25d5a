"""Live GPU and host monitoring: sources (NVML, psutil, recorded traces), one background sampler with
bounded history, and the figures and cards the monitor page shows. Plain Python; never imports streamlit."""
