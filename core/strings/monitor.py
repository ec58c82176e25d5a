"""Strings of the live GPU monitor: its states, cards, banners, charts and table: (Korean, English)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "nav.monitor": ("GPU 모니터", "GPU monitor"),
    # --- page ---
    "mon.title": ("실시간 GPU 모니터", "Live GPU monitor"),
    "mon.intro": (
        "이 워크스테이션의 GPU와 호스트를 서버가 1초마다 읽습니다. 열린 탭이 몇 개든 읽는 주체는 하나이며, "
        "기록은 페이지를 새로고침해도 남습니다.",
        "The server reads this workstation's GPUs and host every second. One reader serves every open tab, "
        "and the history survives page reloads.",
    ),
    "mon.live": ("실시간 · NVIDIA 드라이버 {driver} · CUDA {cuda}", "Live · NVIDIA driver {driver} · CUDA {cuda}"),
    "mon.window": ("기간", "Window"),
    "mon.window.min": ("{n}분", "{n} min"),
    "mon.window.h": ("{n}시간", "{n} h"),
    "mon.pause": ("일시 정지", "Pause"),
    "mon.pause_help": ("화면 갱신만 멈춥니다. 서버는 계속 기록합니다.",
                       "Stops refreshing this tab only; the server keeps recording."),
    "mon.presentation": ("발표 모드", "Presentation mode"),
    "mon.presentation_help": ("2초마다 갱신하고 진단 정보를 숨깁니다. 축은 언제나 고정입니다.",
                              "Refreshes every 2 s and hides diagnostics. Axes are always fixed."),
    "mon.waiting": ("아직 읽은 값이 없습니다. 잠시 후 다시 표시됩니다.", "No readings yet; they appear within a second."),
    # --- demo ---
    "mon.demo_toggle": ("데모 기록 재생", "Replay the demo trace"),
    "mon.demo_help": ("GPU 없이도 발표할 수 있도록 data/traces의 기록을 반복 재생합니다. URL에 ?demo=1을 붙여도 됩니다.",
                      "Replays the trace in data/traces in a loop, so a presentation works without a GPU. "
                      "Adding ?demo=1 to the URL does the same."),
    "mon.demo.synthetic": (
        "**데모 · 합성(SYNTHETIC) 데이터: 측정값이 아닙니다.** GPU 없이 모델로 만든 기록을 반복 재생합니다. "
        "생성 {when}, 명령 `{how}`.",
        "**DEMO · SYNTHETIC data, not measured.** A modelled trace, made without a GPU, replayed in a loop. "
        "Generated {when} by `{how}`.",
    ),
    "mon.demo.recorded": (
        "**데모 · 기록 재생: 실시간 값이 아닙니다.** {when}에 기록한 값을 반복 재생합니다 (`{how}`).",
        "**DEMO · recorded trace, not live.** Readings recorded {when}, replayed in a loop (`{how}`).",
    ),
    "mon.demo.about": ("기록 정보: {label} · {where}", "Trace: {label} · {where}"),
    # --- states ---
    "mon.state.no_library.title": ("NVIDIA Python 바인딩이 없습니다", "NVIDIA's Python binding is missing"),
    "mon.state.no_library.body": (
        "이 페이지는 nvidia-ml-py(pynvml로 import)로 GPU를 읽습니다: {detail}. `pip install nvidia-ml-py`로 설치하고 "
        "(폐기된 `pynvml` 패키지는 설치하지 마세요) 앱을 다시 시작하세요.",
        "This page reads GPUs through nvidia-ml-py (imported as pynvml): {detail}. Install it with "
        "`pip install nvidia-ml-py` (not the deprecated `pynvml` package) and restart the app.",
    ),
    "mon.state.no_driver.title": ("NVIDIA 드라이버가 없습니다", "No NVIDIA driver found"),
    "mon.state.no_driver.body": (
        "드라이버와 함께 설치되는 NVML 라이브러리(libnvidia-ml.so.1 / nvml.dll)를 불러오지 못했습니다: {detail}. "
        "이 컴퓨터에 NVIDIA 드라이버나 GPU가 없는 경우입니다. 컨테이너라면 NVIDIA Container Toolkit과 `--gpus all`로 "
        "시작하세요. 호스트 CPU와 메모리는 아래에 계속 표시됩니다.",
        "NVML, the library that comes with the NVIDIA driver (libnvidia-ml.so.1 / nvml.dll), could not be loaded: "
        "{detail}. This machine has no NVIDIA driver, or no NVIDIA GPU. In a container, start it with the NVIDIA "
        "Container Toolkit and `--gpus all`. The host's CPU and memory are still shown below.",
    ),
    "mon.state.driver_not_loaded.title": ("NVIDIA 드라이버가 로드되지 않았습니다", "The NVIDIA driver is not loaded"),
    "mon.state.driver_not_loaded.body": (
        "드라이버는 설치되어 있지만 커널 모듈이 실행 중이 아닙니다: {detail}. `nvidia-smi`로 확인하세요. "
        "드라이버 설치나 커널 업데이트 후라면 재부팅하면 대개 해결됩니다.",
        "The driver is installed but its kernel module is not running: {detail}. Check with `nvidia-smi`; "
        "after a driver install or a kernel update, a reboot usually loads it.",
    ),
    "mon.state.mismatch.title": ("드라이버와 라이브러리 버전이 다릅니다: 재부팅이 필요합니다",
                                 "Driver and library versions differ: reboot needed"),
    "mon.state.mismatch.body": (
        "드라이버를 업그레이드했지만 실행 중인 커널 모듈은 이전 버전입니다: {detail}. 재부팅할 때까지 NVML이 동작하지 "
        "않습니다. 실행 중인 모델은 그대로 돌아갈 수 있습니다.",
        "The driver was upgraded but the running kernel module is still the old one: {detail}. NVML refuses to "
        "work until the machine reboots; models already running may carry on.",
    ),
    "mon.state.no_permission.title": ("GPU를 읽을 권한이 없습니다", "No permission to read the GPUs"),
    "mon.state.no_permission.body": (
        "NVML이 권한 부족으로 응답했습니다: {detail}. /dev/nvidia* 장치를 열 수 있는 사용자로 앱을 실행하거나 "
        "관리자에게 문의하세요.",
        "NVML answered that permissions are insufficient: {detail}. Run the app as a user who can open "
        "/dev/nvidia*, or ask the administrator.",
    ),
    "mon.state.no_gpus.title": ("드라이버가 NVIDIA GPU를 찾지 못했습니다", "The driver sees no NVIDIA GPU"),
    "mon.state.no_gpus.body": (
        "NVML은 동작하지만(드라이버 {driver}) GPU가 0개입니다. CUDA_VISIBLE_DEVICES·NVIDIA_VISIBLE_DEVICES, "
        "컨테이너의 `--gpus` 옵션, 카드 장착과 전원을 확인하세요.",
        "NVML works (driver {driver}) but reports zero GPUs. Check CUDA_VISIBLE_DEVICES and "
        "NVIDIA_VISIBLE_DEVICES, the container's `--gpus` option, and that the card is seated and powered.",
    ),
    "mon.state.error.title": ("GPU 정보를 읽지 못했습니다", "The GPU source failed"),
    "mon.state.error.body": ("알 수 없는 오류입니다: {detail}.", "It returned an error this page does not know: {detail}."),
    "mon.state.retry": ("{retry}초 후 다시 시도합니다.", "Trying again in {retry} s."),
    # --- cards ---
    "mon.section.gpus": ("GPU", "GPUs"),
    "mon.section.history": ("기록", "History"),
    "mon.tab.gpu": ("GPU 사용률·메모리", "GPU utilization & memory"),
    "mon.tab.thermal": ("온도·전력", "Temperature & power"),
    "mon.tab.processes": ("프로세스별 메모리", "Memory by process"),
    "mon.tab.host": ("호스트 CPU·메모리", "Host CPU & memory"),
    "mon.no_process_history": ("이 구간에 GPU 메모리를 쓴 프로세스가 없습니다.",
                               "No process held GPU memory in this window."),
    "mon.section.processes": ("GPU 프로세스", "GPU processes"),
    "mon.section.host": ("호스트", "Host"),
    "mon.card.util": ("GPU 사용률", "GPU utilization"),
    "mon.card.util_note": ("메모리 버스 {pct}", "memory bus {pct}"),
    "mon.card.vram": ("VRAM", "VRAM"),
    "mon.card.vram_note": ("{pct} 사용", "{pct} used"),
    "mon.card.unified": ("통합 메모리 (호스트 RAM)", "Unified memory (host RAM)"),
    "mon.card.unified_note": ("CPU와 공유", "shared with the CPU"),
    "mon.card.unified_info": (
        "{gpu}는 통합 메모리 장치(DGX Spark, Jetson 등)입니다. 자체 VRAM이 없어 NVML이 메모리 값을 주지 않으므로, "
        "메모리 칸에는 CPU와 함께 쓰는 호스트 RAM을 표시합니다.",
        "{gpu} is a unified-memory device (DGX Spark, Jetson and the like). It has no VRAM of its own and NVML "
        "gives no memory figures for it, so its memory tile shows the host RAM it shares with the CPU.",
    ),
    "mon.card.temperature": ("온도", "Temperature"),
    "mon.card.slowdown": ("감속 시작 {temp}", "slows down at {temp}"),
    "mon.card.power": ("전력", "Power"),
    "mon.card.power_note": ("한도 {limit}", "limit {limit}"),
    "mon.card.clocks": ("SM {sm} · 메모리 {mem}", "SM {sm} · memory {mem}"),
    "mon.card.fan": ("팬 {pct}", "fan {pct}"),
    "mon.card.energy": ("페이지를 연 뒤 {wh}", "{wh} since you opened the page"),
    "mon.card.throttle": ("클럭 제한: {reasons}", "clocks held back by: {reasons}"),
    "mon.card.lost_title": ("{gpu}: 응답 없음", "{gpu}: not answering"),
    "mon.card.lost_body": (
        "GPU가 응답을 멈췄습니다: {reason}. 버스에서 떨어졌거나 드라이버에 문제가 있을 수 있습니다(`dmesg`의 Xid 확인). "
        "NVML을 다시 초기화하며 간격을 늘려 가며 재시도합니다. 다른 GPU는 계속 표시됩니다.",
        "The GPU stopped answering: {reason}. It may have fallen off the bus, or the driver is in trouble (look "
        "for Xid in `dmesg`). NVML is re-initialised with growing pauses between tries; other GPUs keep reporting.",
    ),
    "mon.throttle.idle": ("유휴", "idle"),
    "mon.throttle.app_clocks": ("애플리케이션 클럭 설정", "application clock setting"),
    "mon.throttle.sw_power_cap": ("전력 한도", "power cap"),
    "mon.throttle.hw_slowdown": ("하드웨어 감속", "hardware slowdown"),
    "mon.throttle.sync_boost": ("동기 부스트", "sync boost"),
    "mon.throttle.sw_thermal": ("소프트웨어 열 제한", "software thermal limit"),
    "mon.throttle.hw_thermal": ("하드웨어 열 제한", "hardware thermal limit"),
    "mon.throttle.hw_power_brake": ("외부 전원 제동", "external power brake"),
    "mon.throttle.display_clocks": ("디스플레이 클럭", "display clocks"),
    # --- banners ---
    "mon.alert.vram": ("{gpu}: VRAM {pct}% 사용. 새 모델이나 더 긴 컨텍스트는 들어가지 않을 수 있습니다.",
                       "{gpu}: VRAM {pct}% full. Another model or a longer context may not fit."),
    "mon.alert.temperature": ("{gpu}: {temp}°C, 감속 온도 {slowdown}°C에 가깝습니다.",
                              "{gpu}: {temp}°C, close to its slowdown point of {slowdown}°C."),
    "mon.alert.thermal": ("{gpu}: 열 때문에 클럭이 낮아졌습니다. 냉각을 확인하세요.",
                          "{gpu}: clocks are lowered for heat. Check the cooling."),
    "mon.alert.power": ("{gpu}: 전력 한도({limit} W)에 걸려 클럭이 제한되고 있습니다.",
                        "{gpu}: clocks are held back by the power limit ({limit} W)."),
    "mon.alert.lost": ("{gpu}가 응답하지 않습니다: {reason}. {retry}초 후 다시 초기화합니다.",
                       "{gpu} stopped answering: {reason}. Re-initialising in {retry} s."),
    # --- host ---
    "mon.host.cpu": ("CPU", "CPU"),
    "mon.host.cores": ("논리 코어 {n}개", "{n} logical cores"),
    "mon.host.ram": ("RAM 사용", "RAM in use"),
    "mon.host.ram_note": ("페이지 캐시 {cache} GiB", "page cache {cache} GiB"),
    "mon.host.ram_help": (
        "프로그램이 쓰는 메모리입니다. 페이지 캐시는 필요하면 비워지므로 따로 표시합니다. 가용: {available} GiB.",
        "Memory programs hold. The page cache is given back on demand, so it is shown apart. "
        "Available: {available} GiB.",
    ),
    "mon.host.swap": ("스왑", "Swap"),
    "mon.host.energy": ("페이지를 연 뒤 GPU 전력량", "GPU energy since you opened the page"),
    "mon.host.energy_note": ("모든 GPU 합계", "all GPUs together"),
    # --- processes ---
    "mon.proc.none": ("GPU를 쓰는 프로세스가 없습니다.", "No process is using a GPU."),
    "mon.proc.gpu": ("GPU", "GPU"),
    "mon.proc.pid": ("PID", "PID"),
    "mon.proc.runtime": ("런타임", "Runtime"),
    "mon.proc.name": ("프로세스", "Process"),
    "mon.proc.memory": ("GPU 메모리 (GiB)", "GPU memory (GiB)"),
    "mon.proc.kind": ("종류", "Type"),
    "mon.proc.kind.compute": ("연산", "compute"),
    "mon.proc.kind.graphics": ("그래픽", "graphics"),
    "mon.proc.user": ("사용자", "User"),
    "mon.proc.command": ("명령", "Command"),
    "mon.proc.note.outside_namespace": (
        "이 PID 네임스페이스 밖의 프로세스: 컨테이너라면 --pid=host로 실행하세요",
        "outside this PID namespace: in a container, run with --pid=host",
    ),
    "mon.proc.note.denied": ("다른 사용자의 프로세스라 일부만 보입니다", "another user's process: partly hidden"),
    # --- charts ---
    "mon.chart.util": ("GPU 사용률 (%)", "GPU utilization (%)"),
    "mon.chart.memory": ("사용 중인 VRAM (GiB, 점선: 용량)", "VRAM in use (GiB; dashed: capacity)"),
    "mon.chart.temperature": ("GPU 온도 (°C, 점선: 감속 온도)", "GPU temperature (°C; dashed: slowdown point)"),
    "mon.chart.power": ("소비 전력 (W, 점선: 전력 한도)", "Power draw (W; dashed: power limit)"),
    "mon.chart.processes": ("프로세스별 GPU 메모리 (GiB)", "GPU memory per process (GiB)"),
    "mon.chart.host": ("호스트 CPU와 RAM (%)", "Host CPU and RAM (%)"),
    "mon.chart.cpu": ("CPU", "CPU"),
    "mon.chart.ram": ("RAM 사용", "RAM in use"),
    "mon.chart.cache": ("페이지 캐시", "page cache"),
    "mon.chart.cores": ("논리 코어별 CPU 사용률 (%)", "CPU per logical core (%)"),
    "mon.chart.source_live": ("출처: NVML(드라이버 {driver}), psutil · 이 서버에서 측정",
                              "Source: NVML (driver {driver}), psutil · read on this server"),
    "mon.chart.source_host": ("출처: psutil · 이 서버에서 측정 (NVML 없음)", "Source: psutil · read on this server (no NVML)"),
    "mon.chart.source_synthetic": ("출처: 합성(SYNTHETIC) 데모, 측정값 아님 · {when} 생성",
                                   "Source: SYNTHETIC demo, not measured · generated {when}"),
    "mon.chart.source_trace": ("출처: 기록 재생 · {when} 기록", "Source: recorded trace · recorded {when}"),
    "mon.chart.window": ("{window}, {step}초 간격", "{window}, {step} s steps"),
    "mon.chart.band": ("띠: 구간 최소–최대", "band: min–max"),
    # --- downloads and diagnostics ---
    "mon.download": ("현재 기간 내려받기", "Download this window"),
    "mon.download.csv": ("현재 기간 CSV", "Current window as CSV"),
    "mon.download.json": ("현재 기간 JSON", "Current window as JSON"),
    "mon.diag.title": ("진단: 샘플러 비용과 출처", "Diagnostics: sampler cost and source"),
    "mon.diag.shared": (
        "샘플러 하나가 모든 탭을 맡습니다. 탭을 더 열어도 GPU 조회는 늘지 않습니다.",
        "One sampler serves every open tab: more tabs do not add GPU queries.",
    ),
    "mon.diag.source": ("출처 {source} · 드라이버 {driver} · CUDA {cuda} · {library}",
                        "Source {source} · driver {driver} · CUDA {cuda} · {library}"),
    "mon.diag.rates": ("주기: 빠른 지표 {fast}초 · 프로세스 {processes}초 · 느린 지표 {slow}초",
                       "Rates: fast metrics {fast} s · processes {processes} s · slow metrics {slow} s"),
    "mon.diag.cost": (
        "샘플러 CPU {cpu}% (코어 하나 기준) · 1회 조회 평균: 빠른 {fast} ms, 프로세스 {processes} ms, 느린 {slow} ms, "
        "호스트 {host} ms",
        "Sampler CPU {cpu}% of one core · mean cost per poll: fast {fast} ms, processes {processes} ms, "
        "slow {slow} ms, host {host} ms",
    ),
    "mon.diag.memory": ("기록 버퍼 {mib} MiB (고정 상한) · 실행 {hours}시간 · 조회 {polls}회",
                        "History buffers {mib} MiB (fixed ceiling) · running {hours} h · {polls} polls"),
    "mon.diag.events": ("최근 사건", "Recent events"),
    "measured.title": ("우리 장비에서 잰 속도", "Measured on our machines"),
    "measured.intro": ("채팅 답변과 `python -m core bench`가 잰 디코드 속도를 공개 벤치마크로 보정한 예측과 비교합니다. "
                       "중단·실패·짧은 답변은 저장되지만 보정에는 쓰지 않습니다. 프롬프트나 답변 내용은 저장하지 않습니다.",
                       "Decode speed measured by chat answers and `python -m core bench`, against the prediction calibrated on "
                       "published benchmarks. Stopped, failed and short answers are kept but not counted. No prompt or "
                       "answer text is stored."),
    "measured.none": ("아직 잰 값이 없습니다. 이 서버의 Ollama로 채팅하거나 `python -m core bench`를 실행하세요.",
                      "Nothing measured yet: chat with this server's Ollama, or run `python -m core bench`."),
    "measured.chart": ("예측 대 측정 (실행 {n}회)", "Predicted against measured ({n} runs)"),
    "measured.source": ("출처: 이 서버의 측정값 (data/ 밖, 서버 데이터베이스)", "Source: this server's measurements (its database)"),
    "measured.legend.perfect": ("예측 = 측정", "predicted = measured"),
    "measured.source.chat": ("채팅 답변", "chat answers"),
    "measured.source.bench": ("벤치마크", "benchmark"),
    "measured.source.import": ("가져온 값", "imported"),
    "measured.axis.predicted": ("예측 (토큰/초)", "Predicted (tokens/s)"),
    "measured.axis.measured": ("측정 (토큰/초)", "Measured (tokens/s)"),
    "measured.col.model": ("모델", "Model"),
    "measured.col.gpu": ("GPU", "GPU"),
    "measured.col.runs": ("실행 수", "Runs"),
    "measured.col.median": ("오차 중앙값 (%)", "Median error (%)"),
    "measured.col.worst": ("가장 큰 오차 (%)", "Largest error (%)"),
    "measured.export": ("측정값 CSV 내려받기", "Download measurements (CSV)"),
    "measured.import": ("다른 팀의 측정값 CSV 가져오기", "Import another team's measurements (CSV)"),
    "measured.imported": ("{n}개 행을 가져왔습니다.", "{n} rows imported."),
}
