"""Strings of the home page: (Korean, English)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "nav.home": ("홈", "Home"),
    "home.title": ("로컬 LLM 워크스테이션 플래너", "LLM workstation planner"),
    "home.intro": (
        "팀이 직접 돌리는 LLM을 위한 하드웨어 계획, GPU 실시간 모니터, 로컬 모델 채팅. 모든 수치는 출처 있는 데이터와 공개된 공식에서 나옵니다.",
        "Hardware planning, a live GPU view and chat with a local model, for teams that run LLMs themselves. Every "
        "figure comes from cited data and published formulas.",
    ),
    "home.scenario": ("시나리오", "Scenario"),
    "home.scenario_help": ("여기서 고른 모델과 조건이 아래 링크로 각 페이지에 그대로 넘어갑니다.",
                           "The model and settings chosen here travel with the links below to each page."),
    "home.go_vram": ("이 모델의 메모리 계산", "Memory for this model"),
    "home.go_recommend": ("이 조건으로 GPU 추천", "GPUs for this scenario"),
    "home.go_monitor": ("GPU 실시간 모니터", "Live GPU monitor"),
    "home.go_chat": ("로컬 모델과 채팅", "Chat with a local model"),
    "home.gpus": ("이 컴퓨터의 GPU", "GPUs on this machine"),
    "home.gpu_line": ("{name}: {used} / {total} GiB 사용, 사용률 {util}%", "{name}: {used} / {total} GiB used, {util}% busy"),
    "home.no_gpus": ("GPU 없음: {reason}", "None: {reason}"),
    "home.ollama": ("Ollama", "Ollama"),
    "home.ollama_up": ("{host}에서 실행 중 (버전 {version})", "running at {host} (version {version})"),
    "home.ollama_loaded": ("메모리에 올라간 모델: {models}", "Loaded models: {models}"),
    "home.ollama_none_loaded": ("메모리에 올라간 모델 없음", "No model loaded"),
    "home.ollama_checking": ("{host} 확인 중…", "checking {host}…"),
    "home.ollama_down": ("연결 안 됨: {reason}", "Not reachable: {reason}"),
    "home.tiers": ("팀 티어 (오늘 가격)", "The team's tiers (today's prices)"),
    "home.col.tier": ("티어", "Tier"),
    "home.col.box": ("구성", "Configuration"),
    "home.col.notes": ("노트의 예산", "Budget in the notes"),
    "home.col.today": ("오늘 총액", "Total today"),
    "home.col.pick": ("같은 예산의 오늘 추천", "Today's pick for that budget"),
    "home.quick": ("바로 보기: {model}, 컨텍스트 {context}", "At a glance: {model}, context {context}"),
    "home.quick_line": ("필요 메모리 {total} GiB · {gpu}에서 {verdict} · {tps} 토큰/초 (80% 범위)",
                        "needs {total} GiB · {verdict} on {gpu} · {tps} tokens/s (80% range)"),
    "home.fits": ("들어감", "fits"),
    "home.no_fit": ("안 들어감 (오프로드)", "does not fit (offloads)"),
}
