"""Strings of the team view (many workstations through Prometheus): (Korean, English)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "team.scope": ("보기", "View"),
    "team.scope.local": ("이 워크스테이션", "This machine"),
    "team.scope.team": ("팀 전체", "Team"),
    "team.intro": (
        "서버에 설정된 Prometheus({url})가 모은 모든 워크스테이션의 GPU입니다. DCGM exporter와 nvitop exporter "
        "(`python -m core export`) 지표를 모두 읽습니다.",
        "Every workstation's GPUs as the server's Prometheus ({url}) collects them, from DCGM exporter or nvitop "
        "exporter metrics (`python -m core export`).",
    ),
    "team.state.unreachable": ("Prometheus에 연결할 수 없습니다.", "Prometheus cannot be reached."),
    "team.state.timeout": ("Prometheus가 제때 응답하지 않습니다.", "Prometheus is not answering in time."),
    "team.state.bad_answer": ("Prometheus의 응답을 읽을 수 없습니다.", "Prometheus gave an answer that cannot be read."),
    "team.state.empty": (
        "Prometheus에 GPU 지표가 없습니다. 각 워크스테이션에서 `python -m core export`나 DCGM exporter를 실행하고 "
        "Prometheus의 scrape 대상에 추가하세요 (README 참고).",
        "Prometheus holds no GPU metrics. Run `python -m core export` or the DCGM exporter on each workstation "
        "and add it to Prometheus's scrape targets (see the README).",
    ),
    "team.state.hint": (
        "서버의 PROMETHEUS_URL을 확인하세요. 몇 초 후 다시 시도합니다. 자세한 내용: {detail}",
        "Check PROMETHEUS_URL on the server. Retrying every few seconds. Detail: {detail}",
    ),
    "team.section.totals": ("팀 합계", "Fleet totals"),
    "team.section.hosts": ("워크스테이션", "Workstations"),
    "team.section.history": ("워크스테이션별 기록", "History per workstation"),
    "team.section.where": ("이 모델은 지금 어디서 돌릴 수 있나요?", "Where can this model run right now?"),
    "team.total.hosts": ("워크스테이션", "Workstations"),
    "team.total.stale": ("{n}대 응답 없음", "{n} not reporting"),
    "team.total.used": ("사용 중인 VRAM", "VRAM used"),
    "team.total.free": ("남은 VRAM", "VRAM free"),
    "team.total.util": ("평균 GPU 사용률", "Mean GPU utilization"),
    "team.gpus.one": ("GPU {n}개", "{n} GPU"),
    "team.gpus.many": ("GPU {n}개", "{n} GPUs"),
    "team.host.subtitle": ("{exporter} · {instance} · {gpus}", "{exporter} · {instance} · {gpus}"),
    "team.host.stale": ("{when}부터 응답 없음 ({ago}) · 아래 수치는 마지막으로 받은 값입니다",
                        "Not reporting since {when} ({ago}) · the figures below are the last ones received"),
    "team.host.stale_unknown": ("응답 없음 · 지난 {hours}시간 동안 수신 기록이 없습니다",
                                "Not reporting · not seen in the last {hours} h"),
    "team.ago.minutes": ("{n}분 전", "{n} min ago"),
    "team.ago.hours": ("{n}시간 전", "{n} h ago"),
    "team.lookback": ("응답이 끊긴 워크스테이션은 마지막 수치와 함께 {hours}시간 동안 남아 있다가 목록에서 빠집니다 "
                      "(서버의 TEAM_LOOKBACK_H).",
                      "A workstation that stops reporting stays here with its last readings for {hours} h, then leaves "
                      "the board (TEAM_LOOKBACK_H on the server)."),
    "team.gpu.line": ("GPU {index} · {name} · 사용률 {util} · VRAM {used} / {total} GiB · 여유 {free} GiB · {temp} · {power}",
                      "GPU {index} · {name} · util {util} · VRAM {used} / {total} GiB · free {free} GiB · {temp} · {power}"),
    "team.where.model": ("모델", "Model"),
    "team.where.quant": ("양자화", "Quantization"),
    "team.where.context": ("컨텍스트 (토큰)", "Context (tokens)"),
    "team.where.need": ("필요한 메모리: {gib} GiB (Ollama, 메모리 추정기 기준)",
                        "Memory needed: {gib} GiB (Ollama, from the memory estimator)"),
    "team.where.none": ("지금 남은 VRAM으로 이 모델을 올릴 수 있는 워크스테이션이 없습니다.",
                        "No workstation has enough free VRAM for this model right now."),
    "team.where.col.host": ("워크스테이션", "Workstation"),
    "team.where.col.verdict": ("판정", "Verdict"),
    "team.where.col.free": ("가장 여유 있는 GPU (GiB)", "Freest GPU (GiB)"),
    "team.where.col.host_free": ("전체 여유 (GiB)", "Free in all (GiB)"),
    "team.where.one_gpu": ("GPU 하나에 들어감 (GPU {index})", "Fits on one GPU (GPU {index})"),
    "team.where.split": ("GPU {n}개에 나눠 들어감", "Fits split over {n} GPUs"),
    "team.where.no": ("들어가지 않음", "Does not fit"),
    "team.where.stale": ("응답 없음 ({when}부터): 여유 VRAM을 알 수 없습니다",
                         "Not reporting (since {when}): its free VRAM is not known"),
    "team.where.no_reading": ("VRAM 수치 없음", "No VRAM reading"),
    "team.where.stale_hosts": ("응답 없는 워크스테이션", "Not reporting"),
    "team.where.error": ("이 조합은 추정할 수 없습니다: {detail}", "This combination cannot be estimated: {detail}"),
    "team.chart.util": ("{host}: GPU 사용률", "{host}: GPU utilization"),
    "team.chart.memory": ("{host}: 사용 중인 VRAM", "{host}: VRAM used"),
    "team.chart.source": ("출처: Prometheus {url}, 간격 {step}초", "Source: Prometheus {url}, step {step} s"),
}
