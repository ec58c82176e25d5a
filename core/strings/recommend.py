"""Strings of the GPU recommendations page and its reasons: (Korean, English)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "nav.recommend": ("GPU 추천", "GPU recommendations"),
    "err.no_models": ("대상 모델을 하나 이상 고르세요.", "pick at least one target model"),
    "rec.title": ("GPU 추천", "GPU recommendations"),
    "rec.intro": (
        "돌릴 모델, 동시 사용자 수, 원하는 속도, 예산을 넣으면 카탈로그의 모든 GPU(여러 장 포함)를 워크스테이션 전체 가격으로 "
        "비교해 순위를 매깁니다. 속도는 공개 벤치마크로 보정한 추정치입니다.",
        "Give the models to run, how many people use them at once, the speed you want and the budget: every GPU in the "
        "catalog (several of them too) is priced as a whole workstation and ranked. Speeds are estimates calibrated on "
        "published benchmarks.",
    ),
    "rec.models": ("대상 모델", "Target models"),
    "rec.users": ("동시 사용자", "Concurrent users"),
    "rec.min_tps": ("사용자당 최소 속도 (토큰/초)", "Minimum speed per user (tokens/s)"),
    "rec.budget": ("예산", "Budget"),
    "rec.budget_unit": ("통화", "Currency"),
    "rec.budget_help": ("워크스테이션 전체(GPU, CPU, RAM, 파워, SSD, 보드, 케이스) 기준입니다.",
                        "For the whole workstation: GPUs, CPU, RAM, power supply, SSD, board and case."),
    "rec.condition": ("가격 기준", "Prices"),
    "rec.condition.new": ("새 제품", "New"),
    "rec.condition.any": ("중고 포함", "Used allowed"),
    "rec.max_gpus": ("최대 GPU 수", "Most GPUs in one box"),
    "rec.none": ("조건을 모두 만족하는 구성이 없습니다. 예산을 늘리거나, 더 작은 양자화나 짧은 컨텍스트를 고르세요.",
                 "No configuration meets every condition. Raise the budget, or choose a smaller quantization or a shorter "
                 "context."),
    "rec.ranked": ("추천 순위", "Ranked options"),
    "rec.why_not": ("인기 GPU가 빠진 이유", "Why the popular cards are not on the list"),
    "rec.col.rank": ("순위", "#"),
    "rec.col.config": ("구성", "Configuration"),
    "rec.col.total": ("워크스테이션 총액", "Workstation total"),
    "rec.col.gpu_price": ("GPU 가격", "GPU price"),
    "rec.col.tps": ("사용자당 토큰/초", "Tokens/s per user"),
    "rec.col.aggregate": ("전체 토큰/초", "Tokens/s, all users"),
    "rec.col.won_per_tps": ("토큰/초당 가격", "Price per token/s"),
    "rec.col.headroom": ("여유 VRAM", "VRAM headroom"),
    "rec.col.power": ("전력 (W)", "Power (W)"),
    "rec.col.target": ("목표 속도", "Meets target"),
    "rec.col.reasons": ("이유", "Why"),
    "rec.yes": ("충족", "yes"),
    "rec.no": ("미달", "no"),
    "rec.reason.fits": ("GPU 메모리에 모두 들어가고 {headroom} GiB가 남습니다", "fits in GPU memory with {headroom} GiB to spare"),
    "rec.reason.offload": ("{total}개 층 중 {gpu}개만 GPU에 올라가 나머지는 CPU가 처리합니다", "only {gpu} of {total} layers fit on the GPU; the rest run on the CPU"),
    "rec.reason.speed": ("사용자 {users}명일 때 사용자당 약 {tps} 토큰/초", "about {tps} tokens/s per user with {users} users"),
    "rec.reason.layer_split": ("{n}장에 층을 나눠 메모리만 늘어나고 속도는 늘지 않습니다", "{n} cards split the layers: more memory, not more speed"),
    "rec.reason.datacenter": ("데이터센터용: 팬이 없어 서버 섀시의 강제 공랭이 필요합니다", "datacenter part: passively cooled, needs a server chassis with forced airflow"),
    "rec.reason.apple": ("통합 메모리: macOS가 GPU에 허용하는 몫만 계산에 넣었습니다", "unified memory: only the share macOS gives the GPU is counted"),
    "rec.reason.no_price": ("출처 있는 가격이 없어 총액을 낼 수 없습니다", "no sourced price, so no total"),
    "rec.reason.parts_missing": ("일부 부품 가격이 없어 총액이 실제보다 낮습니다", "some parts have no price, so the total is low"),
    "rec.why.no_fit": ("{n}장으로도 GPU 메모리에 다 들어가지 않습니다", "does not fit in GPU memory even with {n} cards"),
    "rec.why.no_price": ("출처 있는 가격이 없습니다", "no sourced price"),
    "rec.why.budget": ("{n}장 구성이 {price_krw}로 예산을 넘습니다", "{n} card(s) come to {price_krw}, over the budget"),
    "rec.why.slow": ("사용자당 {tps} 토큰/초로 목표 속도에 못 미칩니다", "{tps} tokens/s per user, below the target"),
    "rec.why.ranked_lower": ("조건은 만족하지만 더 싸거나 빠른 구성보다 순위가 낮습니다", "meets every condition but ranks below cheaper or faster options"),
}
