"""Strings of the frame, the input errors, the VRAM calculator and its charts: (Korean, English)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # --- frame ---
    "nav.vram": ("VRAM 계산기", "VRAM calculator"),
    "sidebar.about": (
        "로컬 LLM 워크스테이션 계획 도구. 모든 수치는 출처가 있는 데이터와 공개된 공식에서 나옵니다.",
        "Planning tool for local LLM workstations. Every figure comes from cited data and published formulas.",
    ),
    "common.sources": ("출처", "Sources"),
    "report.accessed": ("{date} 확인", "read {date}"),
    "common.accessed": ("{host} · {date} 확인", "{host} · read {date}"),
    "common.controls": ("입력 조건", "Inputs"),
    "auth.title": ("이 대시보드는 팀 비밀번호로 보호됩니다", "This dashboard is protected by the team's password"),
    "auth.password": ("비밀번호", "Password"),
    "auth.submit": ("들어가기", "Enter"),
    "auth.wrong": ("비밀번호가 틀렸습니다. 다음 시도는 {seconds}초 뒤에 확인합니다.",
                   "Wrong password. The next attempt is checked after {seconds} s."),
    "auth.no_password": (
        "LAN에 공개된 서버인데 비밀번호가 설정되지 않았습니다. 서버에서 PLANNER_PASSWORD를 설정하세요.",
        "This server is open to the LAN but has no password. Set PLANNER_PASSWORD on the server.",
    ),
    "url.stale": ("링크의 {param}={value} 값을 찾을 수 없어 기본값을 씁니다.",
                  "The link's {param}={value} is not known; using the default."),
    "url.not_one_of": ("링크의 {param}={value}는 {allowed} 중 하나가 아니라서 기본값 {default}을(를) 씁니다.",
                       "The link's {param}={value} is not one of {allowed}; using the default, {default}."),
    "url.out_of_range": ("링크의 {param}={value}는 {low}–{high} 범위의 수가 아니라서 기본값 {default}을(를) 씁니다.",
                         "The link's {param}={value} is not a number from {low} to {high}; using the default, {default}."),
    "common.source": ("출처", "Source"),
    "error.data_file": (
        "데이터 파일을 읽을 수 없습니다: {detail}. 파일을 고친 뒤 페이지를 새로고침하세요.",
        "A data file could not be read: {detail}. Fix the file, then reload the page.",
    ),
    # --- input errors (core.errors.InputError) ---
    "err.unknown_gpu": ("알 수 없는 GPU {value!r}입니다. 혹시 {close}인가요?", "unknown GPU {value!r}; did you mean {close}?"),
    "err.unknown_gpu.none": ("알 수 없는 GPU {value!r}입니다. `python -m core {listing}`가 목록을 보여 줍니다.",
                             "unknown GPU {value!r}; `python -m core {listing}` lists the ids"),
    "err.unknown_model": ("알 수 없는 모델 {value!r}입니다. 혹시 {close}인가요?", "unknown model {value!r}; did you mean {close}?"),
    "err.unknown_model.none": ("알 수 없는 모델 {value!r}입니다. `python -m core {listing}`가 목록을 보여 줍니다.",
                               "unknown model {value!r}; `python -m core {listing}` lists them"),
    "err.config_json": ("{name}은(는) 올바른 JSON이 아닙니다 ({detail}).", "{name} is not valid JSON ({detail})."),
    "err.config_object": ("{name}에는 Hugging Face config.json처럼 JSON 객체가 있어야 합니다.",
                          "{name} must hold a JSON object, as Hugging Face config.json files do."),
    "err.config_missing": ("{name}에 {fields} 항목이 없습니다. 트랜스포머 config.json이 맞나요?",
                           "{name} lacks {fields}; is it a transformer config.json?"),
    "err.config_size": ("{name}의 크기 항목 중 정수가 아닌 값이 있습니다.", "{name} has a non-integer size field."),
    "vram.rope_scaled": ("{context} 토큰은 학습된 길이 {trained} 토큰을 넘습니다. 모델 카드가 허용하는 rope scaling(YaRN)을 엔진에서 켜야 하며, 짧은 문장의 품질이 조금 떨어질 수 있습니다.",
                         "{context} tokens is past the trained length of {trained}: switch on the rope scaling (YaRN) the model card allows in the engine; quality on short texts may drop a little."),
    "err.quant": ("알 수 없는 양자화 형식 {value!r}입니다. 가능한 값: {allowed}",
                  "unknown quantization {value!r}; allowed: {allowed}"),
    "err.range": ("{name} 값 {value}이(가) 허용 범위({low}–{high})를 벗어났습니다.",
                  "{name} {value} is outside the allowed range {low}–{high}"),
    "err.choice": ("{name} 값 {value!r}은(는) 사용할 수 없습니다. 가능한 값: {allowed}",
                   "{name} {value!r} is not one of: {allowed}"),
    "err.context_max": ("컨텍스트 {value} 토큰은 {model}의 최대 컨텍스트 {maximum} 토큰을 넘습니다.",
                        "context {value} exceeds {model}'s maximum of {maximum} tokens"),
    "err.kv_type": ("KV 캐시 형식 {value!r}은(는) {engine}에서 쓸 수 없습니다. 가능한 값: {allowed}",
                    "KV cache type {value!r} is not available in {engine}; allowed: {allowed}"),
    "err.kv_unified": ("공유 KV 캐시(--kv-unified)는 llama.cpp(llama-server)의 설정입니다. {engine}은(는) 요청마다 캐시를 따로 둡니다.",
                       "A shared KV cache (--kv-unified) is a llama.cpp (llama-server) setting; {engine} keeps a cache per request."),
    "err.quant_engine": ("{engine}은(는) {value} 형식을 불러오지 못합니다. 가능한 형식: {allowed}",
                         "{engine} does not load {value}; allowed: {allowed}"),
    "err.quant_file_size": ("{value}는 Unsloth의 동적 GGUF로, 모델마다 텐서별 형식이 달라 파일 크기로만 계산합니다. {model}의 {value} 파일 크기가 게시된 자료에 없어 추정하지 않습니다. Q4_K_M 같은 표준 형식을 고르세요.",
                            "{value} is one of Unsloth's dynamic GGUFs, which mix formats per tensor differently for each model, so it is sized from its file alone; no published {value} file size for {model} is in the data, so none is guessed. Pick a standard format such as Q4_K_M."),
    "err.positive": ("{name} 값은 0보다 커야 합니다 (입력: {value}).",
                     "{name} must be a positive number (got {value})"),
    "err.kv_heads": ("KV 헤드 수({kv_heads})는 어텐션 헤드 수({heads})보다 클 수 없습니다.",
                     "kv_heads ({kv_heads}) cannot exceed heads ({heads})"),
    "err.active_params": ("활성 파라미터({value}B)는 0보다 크고 전체 파라미터({params_b}B) 이하여야 합니다.",
                          "active_params_b ({value}) must be above 0 and at most params_b ({params_b})"),
    # --- VRAM calculator ---
    "vram.title": ("VRAM 계산기", "VRAM calculator"),
    "vram.intro": (
        "모델과 실행 조건을 고르면 GPU 메모리를 항목별로 계산하고, 카탈로그의 어떤 GPU에 몇 장이면 들어가는지 보여 줍니다. "
        "llama.cpp가 기록한 버퍼 크기를 그대로 재현하는 공식을 씁니다.",
        "Pick a model and how it runs: the GPU memory it needs, term by term, and which GPUs in the catalog "
        "hold it, and how many of each. The formulas reproduce the buffer sizes llama.cpp itself logs.",
    ),
    "vram.model_source": ("모델 선택 방식", "Model from"),
    "vram.source.preset": ("목록에서 선택", "Catalog"),
    "vram.source.custom": ("직접 입력", "Custom architecture"),
    "vram.source.upload": ("config.json 업로드", "Upload config.json"),
    "vram.model": ("모델 (이름 또는 Ollama 태그로 검색)", "Model (search by name or Ollama tag)"),
    "vram.model_help": ("구조는 각 모델의 config.json에서 가져왔습니다.", "Architectures come from each model's config.json."),
    "vram.upload": ("Hugging Face config.json", "Hugging Face config.json"),
    "vram.upload_help": ("모델 저장소의 config.json 파일을 올리세요.", "The config.json file from a model repository."),
    "vram.upload_hint": ("config.json을 올리면 그 구조로 계산합니다.", "Upload a config.json to estimate that architecture."),
    "vram.upload_ok": ("{name}: 약 {params}B 파라미터 (행렬 크기로 계산)", "{name}: about {params}B parameters (counted from the matrix shapes)"),
    "vram.upload_bad": ("이 파일을 쓸 수 없습니다: {detail}", "This file cannot be used: {detail}"),
    "vram.mode": ("용도", "Use"),
    "mode.inference": ("추론", "Inference"),
    "mode.lora": ("LoRA 학습", "LoRA fine-tune"),
    "mode.qlora": ("QLoRA 학습", "QLoRA fine-tune"),
    "mode.full": ("전체 파인튜닝", "Full fine-tune"),
    "vram.engine": ("엔진", "Engine"),
    "vram.engine_help": (
        "Ollama/llama.cpp는 GGUF, vLLM·transformers는 PyTorch 형식을 씁니다. 학습은 transformers 기준입니다.",
        "Ollama/llama.cpp run GGUF files, vLLM and transformers PyTorch formats. Training assumes transformers.",
    ),
    "vram.quant": ("양자화", "Quantization"),
    "vram.quant_help": ("GGUF 크기는 공개된 파일 크기가 있으면 그 값을 씁니다.", "Published GGUF file sizes are used where known."),
    "vram.context": ("컨텍스트 (토큰)", "Context (tokens)"),
    "vram.context_help": ("요청 하나당 길이입니다: Ollama의 num_ctx와 같고, llama.cpp의 -c는 이 값 × 동시 요청 수입니다. 학습에서는 시퀀스 길이입니다.",
                          "Per request: Ollama's num_ctx; llama.cpp's -c is this times the parallel requests. For fine-tuning, the sequence length."),
    "vram.parallel": ("동시 요청 수", "Parallel requests"),
    "vram.parallel_help": (
        "동시에 처리하는 요청 수 (Ollama의 OLLAMA_NUM_PARALLEL). KV 캐시가 그만큼 늘어납니다.",
        "Requests served at once (Ollama's OLLAMA_NUM_PARALLEL); the KV cache grows with it.",
    ),
    "vram.kv_unified": ("공유 KV 캐시 (llama-server)", "Shared KV cache (llama-server)"),
    "vram.kv_unified_help": (
        "llama-server를 -np 없이 띄우면 슬롯 4개가 -c 하나를 나눠 씁니다(--kv-unified). 이렇게 띄울 때는 켜고 동시 요청 수를 4로 두세요. "
        "슬라이딩 윈도 층은 슬롯마다가 아니라 공유 캐시 하나에 윈도 × 슬롯 + n_ubatch 칸을 둡니다.",
        "llama-server started without -np runs 4 slots sharing one -c (--kv-unified). For such a launch, tick this and set "
        "parallel requests to 4. Sliding-window layers then keep window × slots + n_ubatch cells in the one shared cache "
        "instead of a window per slot.",
    ),
    "vram.kv": ("KV 캐시 형식", "KV cache type"),
    "vram.kv_help": ("q8_0은 f16의 약 절반, q4_0은 약 1/4입니다.", "q8_0 takes about half of f16, q4_0 about a quarter."),
    "vram.gpu": ("GPU", "GPU"),
    "vram.no_gpu": ("— 선택 안 함 —", "— none —"),
    "vram.gpu_count": ("GPU 수", "Number of GPUs"),
    "vram.batch": ("배치 크기", "Batch size"),
    "vram.batch_help": (
        "한 번에 처리하는 시퀀스 수 (학습의 마이크로 배치). 동시 요청 수와 곱해져 KV 캐시를 키웁니다.",
        "Sequences per forward pass (the micro-batch when training); multiplies with parallel requests in the KV cache.",
    ),
    "vram.optimizer": ("옵티마이저", "Optimizer"),
    "vram.precision": ("정밀도", "Precision"),
    "vram.precision_help": (
        "mixed: fp32 마스터 가중치 + 16비트 복사본 (파라미터당 6바이트).",
        "mixed: fp32 master weights plus a 16-bit copy (6 bytes per parameter).",
    ),
    "vram.lora_rank": ("LoRA 랭크", "LoRA rank"),
    "vram.grad_ckpt": ("그래디언트 체크포인팅", "Gradient checkpointing"),
    "vram.grad_ckpt_help": (
        "층 입력만 저장하고 역전파 때 다시 계산해 활성값 메모리를 크게 줄입니다.",
        "Keeps only each layer's input and recomputes the rest in the backward pass: far less activation memory.",
    ),
    "vram.total": ("필요 메모리 합계", "Total memory"),
    "vram.per_gpu": ("GPU당 / 사용 가능", "Per GPU / usable"),
    "vram.fit_margin": ("{engine}은(는) GPU마다 {margin} GiB를 비워 둘 수 있어야 모델 전체를 GPU에 올립니다(llama.cpp `--fit`). "
                        "계산 버퍼는 마이크로배치 {ubatch} 기준입니다{why}.",
                        "{engine} puts the whole model on the GPU only if {margin} GiB stays free on each GPU (llama.cpp's "
                        "`--fit`). The compute buffer is sized for a micro-batch of {ubatch}{why}."),
    "vram.fit_margin.ollama": (" (Ollama {version}이 이 컨텍스트와 카드에 고르는 값)",
                               " (what Ollama {version} picks for this context and card)"),
    "vram.pick_gpu": ("GPU를 고르면 들어가는지 알려 줍니다.", "Pick a GPU to get a verdict."),
    "vram.fits": ("들어감", "fits"),
    "vram.no_fit": ("안 들어감", "does not fit"),
    "vram.host": ("시스템 RAM (GPU 밖)", "System RAM (off GPU)"),
    "vram.host_help": (
        "llama.cpp는 토큰 임베딩 표를 시스템 메모리에 둡니다. 오프로드된 층도 여기에 들어갑니다.",
        "llama.cpp keeps the token-embedding table in system memory; offloaded layers go there too.",
    ),
    "vram.max_context": ("이 GPU에 들어가는 최대 컨텍스트", "Longest context on this GPU"),
    "vram.max_context_help": ("나머지 조건은 그대로 두고 컨텍스트만 늘렸을 때.", "With everything else unchanged."),
    "vram.max_context_none": ("가장 짧은 컨텍스트에서도 모델 전체가 이 GPU에 들어가지 않습니다.",
                              "Even at the shortest context the whole model does not fit on this GPU."),
    "vram.vllm_tokens": (
        "vLLM은 GPU 메모리의 90%를 미리 잡고 남는 공간을 KV 블록으로 씁니다: 동시에 최대 {tokens} 토큰 "
        "(지금 컨텍스트로 {seqs}개 시퀀스)을 담을 수 있습니다.",
        "vLLM claims 90% of GPU memory up front and turns what is left into KV blocks: up to {tokens} tokens "
        "in flight ({seqs} sequences at this context).",
    ),
    "vram.expert_offload": (
        "GPU에 다 들어가지 않습니다: llama.cpp `--fit`처럼 모든 층의 어텐션과 KV는 GPU에 두고, {total}개 층 중 {cpu}개 층의 "
        "전문가(expert) 가중치({host} GiB)를 시스템 RAM에 둡니다. 토큰마다 그 층들의 활성 전문가를 RAM에서 읽어 느려집니다.",
        "It does not fit whole: as llama.cpp's `--fit` does, every layer's attention and KV stay on the GPU and the routed "
        "experts of {cpu} of {total} layers ({host} GiB) go to system RAM. Each token reads those layers' active experts "
        "from RAM, which slows generation.",
    ),
    "vram.offload": (
        "GPU에 다 들어가지 않습니다: {total}개 층 중 {gpu}개만 GPU에 올리고 나머지({host} GiB)는 시스템 RAM에서 "
        "돌립니다. 생성 속도가 크게 떨어집니다.",
        "It does not fit: {gpu} of {total} layers go on the GPU and the rest ({host} GiB) run from system RAM. "
        "Generation slows down sharply.",
    ),
    "vram.paged_note": (
        "페이징 옵티마이저는 메모리가 모자랄 때 옵티마이저 상태를 시스템 RAM으로 내보내므로 실제 최대치는 더 낮을 수 있습니다.",
        "A paged optimizer evicts its states to system RAM under pressure, so the real peak can be lower.",
    ),
    "vram.multi_gpu": (
        "{engine}은(는) {n}개 GPU에 {how} 방식으로 나눕니다: 가중치와 KV 캐시는 나뉘고, 계산 버퍼와 런타임 예약은 GPU마다 따로 잡힙니다.",
        "{engine} spreads the model over {n} GPUs by {how}: weights and KV cache are divided, compute buffers and "
        "runtime reserves are held on every GPU.",
    ),
    "gpu.from_database": ("{name} · TechPowerUp DB", "{name} · TechPowerUp database"),
    "vram.tab.context": ("컨텍스트별 메모리", "Memory by context"),
    "vram.fits_table": ("카탈로그 전체에서 들어가는 GPU", "Where it fits in the catalog"),
    "vram.fits_legend": (
        "여유: 10% 이상 남음 · 빠듯: 10% 미만 · 부족: 8장으로도 안 들어감. 수량은 들어가는 최소 장수.",
        "Room: 10% or more to spare · Tight: under 10% · No: not even with 8 cards. Count is the fewest cards that hold it.",
    ),
    "status.green": ("여유", "Room"),
    "status.amber": ("빠듯", "Tight"),
    "status.red": ("부족", "No"),
    "vram.formulas": ("각 항목의 공식과 근거", "Formulas and sources for each term"),
    "vram.assumptions": (
        "**가정**: GiB = 2³⁰ 바이트. llama.cpp 계열은 지금 기본값대로 flash attention을 켜고, llama.cpp는 ubatch 512, "
        "Ollama 0.33은 컨텍스트와 카드에 따라 스스로 고르는 배치(512/1024/2048)로 계산합니다. 두 엔진 모두 llama.cpp `--fit`처럼 "
        "GPU마다 1 GiB를 비워 둘 수 있을 때만 모델 전체를 GPU에 올립니다. 여러 GPU에 층을 나누면 GPU마다 계산 버퍼를 따로 "
        "가집니다. Apple 통합 메모리는 macOS가 GPU에 허용하는 몫(36GB 이하 2/3, 그 이상 3/4)만 셉니다. "
        "데스크톱 화면과 다른 프로세스가 쓰는 메모리는 포함하지 않습니다.",
        "**Assumptions**: GiB = 2³⁰ bytes. The llama.cpp family is sized with flash attention on, as both engines now "
        "default to, at llama.cpp's ubatch of 512 or the batch Ollama 0.33 picks for the context and the card "
        "(512, 1024 or 2048). Both put the whole model on the GPU only when 1 GiB stays free on each GPU, as "
        "llama.cpp's `--fit` requires. With layers split over several GPUs each GPU holds its own compute buffer. Apple unified memory counts only "
        "the share macOS lets the GPU use (2/3 up to 36 GB, 3/4 above). Memory held by the desktop and other "
        "processes is not included.",
    ),
    "field.params_b": ("파라미터 (B)", "Parameters (B)"),
    "field.layers": ("층 수", "Layers"),
    "field.hidden": ("히든 크기", "Hidden size"),
    "field.heads": ("어텐션 헤드", "Attention heads"),
    "field.kv_heads": ("KV 헤드", "KV heads"),
    "field.head_dim": ("헤드 차원", "Head dim"),
    "field.vocab": ("어휘 크기", "Vocabulary"),
    "field.context_max": ("최대 컨텍스트", "Max context"),
    "field.active_params_b": ("활성 파라미터 (B, MoE)", "Active params (B, MoE)"),
    "col.status": ("상태", "Status"),
    "col.gpu": ("GPU", "GPU"),
    "col.count": ("수량", "Count"),
    "col.headroom": ("여유", "Headroom"),
    "col.free_share": ("남는 비율", "Left free"),
    "col.free_share_help": ("가장 많이 채워진 카드에서, 엔진이 쓸 수 있는 메모리 중 남는 비율. 10% 미만이면 빠듯함.",
                            "On the fullest card, the share of the memory the engine may use that stays free. "
                            "Under 10% is tight."),
    "col.price": ("국내 가격", "KRW price"),
    # --- memory terms ---
    "term.weights": ("가중치", "Weights"),
    "term.kv_cache": ("KV 캐시", "KV cache"),
    "term.compute_buffer": ("계산 버퍼", "Compute buffer"),
    "term.runtime": ("런타임 예약", "Runtime reserve"),
    "term.activations": ("활성값", "Activations"),
    "term.adapters": ("LoRA 어댑터", "LoRA adapters"),
    "term.gradients": ("그래디언트", "Gradients"),
    "term.optimizer": ("옵티마이저 상태", "Optimizer states"),
    "explain.weights": (
        "공개된 GGUF 파일 크기가 있으면 그 값, 없으면 파라미터 수 × 형식별 평균 비트 수 ÷ 8. llama.cpp는 토큰 임베딩을 "
        "시스템 메모리에 둡니다.",
        "The published GGUF file size where known, else parameters × the format's average bits ÷ 8. llama.cpp keeps "
        "the token embeddings in system memory.",
    ),
    "explain.kv_cache": (
        "층마다 토큰마다 K와 V를 저장합니다. GQA 모델은 KV 헤드만 저장하므로 어텐션 헤드 수가 아닌 KV 헤드 수를 씁니다. "
        "슬라이딩 윈도 층은 윈도만큼만 저장합니다. 잠재 어텐션(MLA) 모델은 토큰마다 압축된 잠재 벡터 하나만 두고 V는 두지 않습니다.",
        "K and V for every token in every layer. Grouped-query models cache only their KV heads, so the KV head count "
        "is used, not the attention heads. Sliding-window layers keep only their window. Latent-attention (MLA) models "
        "keep one compressed latent per token and no V.",
    ),
    "explain.compute_buffer": (
        "한 번의 마이크로 배치(512 토큰)를 계산하는 그래프 메모리: 어텐션 점수 행렬 또는 로짓 중 큰 쪽.",
        "The graph memory for one micro-batch (512 tokens): the attention-score matrix or the logits, whichever is larger.",
    ),
    "explain.runtime": (
        "모델을 올리기 전에 엔진이 잡는 메모리: CUDA 컨텍스트, 커널, 작업 공간.",
        "What the engine holds before any model tensor: the CUDA context, kernels and workspaces.",
    ),
    "explain.activations": (
        "순전파 중 중간 텐서. 학습에서는 역전파를 위해 저장되며 시퀀스 길이 × 배치에 비례합니다.",
        "Intermediate tensors of the forward pass; when training they are kept for the backward pass and grow with "
        "sequence length × batch.",
    ),
    "explain.adapters": ("학습되는 저랭크 행렬 (fp32).", "The trained low-rank matrices (fp32)."),
    "explain.gradients": ("학습되는 파라미터마다 하나씩.", "One per trained parameter."),
    "explain.optimizer": (
        "AdamW는 파라미터당 fp32 상태 2개(8바이트), 8비트 AdamW는 2바이트, SGD 모멘텀은 4바이트.",
        "AdamW keeps two fp32 states per parameter (8 bytes), 8-bit AdamW 2 bytes, SGD with momentum 4 bytes.",
    ),
    # --- charts ---
    "chart.total": ("합계", "Total"),
    "chart.usable": ("사용 가능 {gib} GiB", "usable {gib} GiB"),
    "chart.breakdown_title": ("{model} · {quant} · 컨텍스트 {context}: GPU 메모리 구성",
                              "{model} · {quant} · context {context}: GPU memory by term"),
    "chart.context_title": ("{model}: 컨텍스트에 따른 메모리", "{model}: memory against context"),
    "chart.context_axis": ("컨텍스트 (토큰, 로그 축)", "Context (tokens, log scale)"),
    "chart.fits_title": ("들어가는 GPU와 남는 메모리", "GPUs that hold it, and what is left"),
    "chart.headroom_axis": ("가장 꽉 찬 GPU의 여유 (GiB)", "Headroom on the fullest GPU (GiB)"),
    "chart.source_estimator": (
        "출처: 이 도구의 메모리 추정식 (llama.cpp·Ollama 코드, HF 문서; 공식은 계산기 페이지 참조)",
        "Source: this tool's memory estimator (llama.cpp and Ollama code, HF docs; formulas on the calculator page)",
    ),
    "chart.source_catalog": (
        "출처: data/gpu_benchmarks.csv (행마다 제조사·리뷰 URL) + 이 도구의 메모리 추정식",
        "Source: data/gpu_benchmarks.csv (vendor and review URLs per row) + this tool's memory estimator",
    ),
}
