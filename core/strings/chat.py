"""Strings of the chat page and its errors: (Korean, English)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "nav.chat": ("채팅", "Chat"),
    # --- page ---
    "chat.title": ("로컬 모델과 채팅", "Chat with a local model"),
    "chat.server": ("Ollama {version} · {host} (이 대시보드 서버가 대신 연결합니다)",
                    "Ollama {version} · {host} (this dashboard's server connects on your behalf)"),
    "chat.model": ("모델", "Model"),
    "chat.no_models": ("설치된 모델이 없습니다", "No model installed"),
    "chat.no_models_help": (
        "이 서버에 설치된 모델이 없습니다. 서버에서 `ollama pull llama3.2`처럼 모델을 내려받으세요. 입력한 질문은 저장됩니다.",
        "No model is installed on this server. Pull one there, e.g. `ollama pull llama3.2`. "
        "Questions you type are kept.",
    ),
    "chat.is_loaded": ("메모리에 올라가 있어 바로 답합니다.", "Loaded: answers start right away."),
    "chat.not_loaded": ("아직 메모리에 없습니다. 첫 답변 전에 디스크에서 불러옵니다.",
                        "Not loaded yet: the first answer waits while it loads from disk."),
    "chat.settings": ("설정", "Settings"),
    "chat.system_prompt": ("시스템 프롬프트", "System prompt"),
    "chat.system_placeholder": ("예: 항상 한국어로, 짧게 답하세요.", "e.g. Answer briefly, in plain English."),
    "chat.model_default": ("모델 기본값", "model default"),
    "chat.temperature": ("temperature", "temperature"),
    "chat.temperature_help": ("높을수록 답이 다양해집니다 (0–2). 비워 두면 모델 파일의 값을 씁니다.",
                              "Higher gives more varied answers (0–2). Empty keeps the Modelfile's value."),
    "chat.top_p_help": ("누적 확률이 이 값에 이를 때까지의 토큰만 고릅니다 (0–1).",
                        "Sample only from the tokens whose probabilities add up to this (0–1)."),
    "chat.num_ctx": ("컨텍스트 길이 (num_ctx)", "Context length (num_ctx)"),
    "chat.num_ctx_help": ("대화 전체가 이 토큰 수에 들어가야 합니다. 이 모델의 최대값은 {maximum}이며, 클수록 VRAM을 더 씁니다.",
                          "The whole conversation must fit in this many tokens. This model allows up to {maximum}; "
                          "more takes more VRAM."),
    "chat.num_predict": ("최대 답변 토큰 (num_predict)", "Max answer tokens (num_predict)"),
    "chat.unlimited": ("제한 없음", "no limit"),
    "chat.seed": ("시드", "Seed"),
    "chat.random": ("무작위", "random"),
    "chat.seed_help": ("같은 시드와 같은 질문이면 같은 답이 나옵니다.", "The same seed and question give the same answer."),
    "chat.keep_alive": ("답변 후 모델 유지", "Keep the model loaded"),
    "chat.keep_alive.5m": ("5분", "5 minutes"),
    "chat.keep_alive.30m": ("30분", "30 minutes"),
    "chat.keep_alive.1h": ("1시간", "1 hour"),
    "chat.keep_alive.-1": ("계속", "until unloaded"),
    "chat.keep_alive.0": ("바로 내림", "unload right after"),
    "chat.think": ("생각 과정 보기", "Show thinking"),
    "chat.think_help": ("추론 모델만 지원합니다. 생각 과정은 답변 위 접힌 칸에 나옵니다.",
                        "Only reasoning models support it. The reasoning appears in a collapsible box above "
                        "the answer."),
    "chat.placeholder": ("메시지를 입력하세요 (답변 중에는 ■ 버튼으로 멈춤)", "Message the model (■ stops an answer)"),
    "chat.new": ("새 대화", "New chat"),
    "chat.conversations": ("대화 목록", "Conversations"),
    "chat.shared_note": ("이 서버의 대화는 LAN 비밀번호를 아는 모든 사람이 함께 봅니다.",
                         "Everyone with the LAN password sees the same conversations on this server."),
    "chat.manage": ("이름 바꾸기 · 삭제", "Rename · delete"),
    "chat.rename": ("대화 이름", "Conversation name"),
    "chat.delete": ("이 대화 삭제", "Delete this conversation"),
    "chat.loaded_models": ("로드된 모델", "Loaded models"),
    "chat.unload": ("내리기", "Unload"),
    "chat.none_loaded": ("지금 메모리에 올라간 모델이 없습니다.", "No model is loaded right now."),
    "chat.empty": ("아래에 질문을 입력하면 대화가 시작되고 서버에 저장됩니다.",
                   "Type a question below to start; conversations are saved on the server."),
    "chat.unsent": ("보내지 않은 메시지 (복사해서 고쳐 보내세요)", "Message not sent (copy it, shorten it, send again)"),
    "chat.regenerate": ("다시 생성", "Regenerate"),
    "chat.retry": ("답변 다시 요청", "Ask again"),
    "chat.thinking": ("생각 과정", "Thinking"),
    "chat.stopped": ("중간에 멈춘 답변입니다.", "Stopped before the end."),
    "chat.cut_by_length": (
        "답변이 길이 제한(num_predict) 또는 컨텍스트 창에 걸려 잘렸습니다. 설정에서 값을 늘리세요.",
        "The answer was cut by the length limit (num_predict) or the context window; raise them in Settings.",
    ),
    "chat.waiting": ("{model} 응답을 기다리는 중 (모델을 처음 불러오면 오래 걸릴 수 있습니다)",
                     "Waiting for {model} (loading a model the first time can take a while)"),
    "chat.waited": ("{model} 응답을 기다리는 중… {seconds}초", "Waiting for {model}… {seconds} s"),
    "chat.gpu": ("GPU 실시간", "GPU, live"),
    "chat.pull_title": ("모델 내려받기", "Pull a model"),
    "chat.pull_name": ("모델 이름 (예: llama3.2:3b)", "Model name (e.g. llama3.2:3b)"),
    "chat.pull": ("내려받기", "Pull"),
    "chat.pull_start": ("시작하는 중…", "Starting…"),
    "chat.pull_done": ("{name} 내려받기를 마쳤습니다.", "{name} is installed."),
    "chat.vram": ("VRAM {value}", "VRAM {value}"),
    "chat.split.gpu": ("100% GPU", "100% GPU"),
    "chat.split.cpu": ("100% CPU (GPU 미사용)", "100% CPU (no GPU)"),
    "chat.split.mixed": ("CPU {cpu}% / GPU {gpu}%", "{cpu}%/{gpu}% CPU/GPU"),
    "chat.ctx": ("컨텍스트 {value}", "context {value}"),
    "chat.until": ("{time}까지 유지", "kept until {time}"),
    # --- stats under an answer ---
    "chat.stat.speed": ("⚡ {value} 토큰/초", "⚡ {value} tokens/s"),
    "chat.stat.partial": ("{chunks}조각 / {seconds}초", "{chunks} pieces in {seconds} s"),
    "chat.stat.predicted": ("예측 {value} 토큰/초", "predicted {value} tokens/s"),
    "bench.err.not_installed": ("{model} 모델이 설치되어 있지 않습니다 (설치됨: {installed}). 벤치마크는 모델을 내려받지 않습니다.",
                                "{model} is not installed (installed: {installed}); the benchmark never pulls a model"),
    "bench.err.no_fit": ("{model}은(는) 이 워크스테이션의 GPU 메모리에 다 들어가지 않아 측정하지 않습니다.",
                         "{model} does not fit in this workstation's GPU memory, so it is not measured"),
    "reconcile.line": ("추정 {estimate} · Ollama 보고 {ollama} (VRAM {vram}) · NVML 러너 {runner} · 그 밖의 프로세스와 드라이버 {others}",
                       "estimate {estimate} · Ollama reports {ollama} ({vram} in VRAM) · NVML runner {runner} · other processes and driver {others}"),
    "reconcile.cause.budget_more": ("Ollama가 추정보다 많이 잡았습니다: 계산 그래프 예약이나 더 큰 컨텍스트·동시 요청 때문일 수 있습니다.",
                                    "Ollama holds more than the estimate: its compute-graph reserve, or a larger context or more parallel slots."),
    "reconcile.cause.budget_less": ("Ollama가 추정보다 적게 잡았습니다: flash attention으로 계산 버퍼가 작아졌거나 KV 캐시가 양자화됐을 수 있습니다.",
                                    "Ollama holds less than the estimate: flash attention shrinks the compute buffer, or the KV cache is quantized."),
    "reconcile.cause.offload": ("일부가 CPU 메모리에 있습니다: 생성 속도가 크게 떨어집니다.",
                                "Part of it sits in CPU memory: generation slows down sharply."),
    "reconcile.cause.runner_extra": ("러너가 ollama ps보다 많이 씁니다: CUDA 컨텍스트와 커널, 또는 함께 올라간 다른 모델입니다.",
                                     "The runner holds more than ollama ps says: the CUDA context and kernels, or another loaded model."),
    "chat.stat.calibrated": ("이 워크스테이션에서 보정: 답변 {runs}개, ±{spread}%", "calibrated on this workstation: {runs} answers, ±{spread}%"),
    "chat.stat.predicted_na": ("예측 n/a", "predicted n/a"),
    "chat.stat.prompt_speed": ("프롬프트 {value} 토큰/초", "prompt {value} tokens/s"),
    "chat.stat.first_token": ("첫 토큰 {value}초", "first token {value} s"),
    "chat.stat.load": ("로드 {value}초", "load {value} s"),
    "chat.stat.tokens": ("토큰 {prompt} → {answer}", "{prompt} → {answer} tokens"),
    # --- export ---
    "chat.exported_at": ("마지막 대화", "Last message"),
    "chat.role.user": ("사용자", "User"),
    "chat.role.assistant": ("모델", "Assistant"),
    # --- errors (core.chat.errors and core.chat.limits) ---
    "chat.err.failed": ("Ollama가 오류 {status}로 답했습니다: {detail}", "Ollama answered with error {status}: {detail}"),
    "chat.err.unreachable": (
        "{host}의 Ollama에 연결할 수 없습니다. 서버에서 `ollama serve`가 실행 중인지 확인하거나, 이 대시보드를 "
        "실행하는 쪽의 OLLAMA_HOST 설정을 고치세요. 입력한 내용은 저장되어 있습니다.",
        "Ollama is not reachable at {host}. Check that `ollama serve` is running on the server, or fix "
        "OLLAMA_HOST where this dashboard runs. What you typed is saved.",
    ),
    "chat.err.timeout": (
        "{host}의 Ollama가 제시간에 답하지 않았습니다 ({kind}). 모델을 불러오는 중이거나 과부하일 수 있습니다. 잠시 뒤 "
        "다시 요청하세요.",
        "Ollama at {host} did not answer in time ({kind}). It may still be loading the model or be overloaded; "
        "ask again in a moment.",
    ),
    "chat.err.connection_lost": ("{host}의 Ollama와 연결이 끊겼습니다: {detail}. 다시 요청하세요.",
                                 "The connection to Ollama at {host} broke: {detail}. Ask again."),
    "chat.err.not_found": (
        "모델 '{model}'이(가) 이 서버에 설치되어 있지 않습니다 ({detail}). 목록에서 다른 모델을 고르거나 서버에서 "
        "`ollama pull {model}`을 실행하세요.",
        "Model '{model}' is not installed on this server ({detail}). Pick another one, or run "
        "`ollama pull {model}` on the server.",
    ),
    "chat.err.busy": ("{host}의 Ollama가 요청을 더 받을 수 없습니다. 잠시 뒤 다시 요청하세요.",
                      "Ollama at {host} is busy with other requests; ask again in a moment."),
    "chat.err.mid_stream": ("Ollama가 답변 도중 오류를 보냈습니다: {detail}. 여기까지 받은 답은 남겨 두었습니다.",
                            "Ollama reported an error in the middle of the answer: {detail}. "
                            "What arrived before it is kept."),
    "chat.err.rejected": ("Ollama가 요청을 거절했습니다 ({status}): {detail}", "Ollama refused the request ({status}): {detail}"),
    "chat.err.malformed": ("{host}에서 Ollama API가 아닌 응답이 왔습니다: {detail}. OLLAMA_HOST가 Ollama를 "
                           "가리키는지 확인하세요.",
                           "The answer from {host} is not what the Ollama API sends: {detail}. Check that "
                           "OLLAMA_HOST points at Ollama."),
    "chat.err.pull_disabled": ("이 서버에서는 모델 내려받기가 꺼져 있습니다 (ALLOW_MODEL_PULL=1로 켭니다).",
                               "Pulling models is switched off on this server (ALLOW_MODEL_PULL=1 enables it)."),
    "chat.err.store": ("대화 기록 파일 {path}을(를) 쓸 수 없습니다: {detail}. PLANNER_DATA_DIR을 쓰기 가능한 폴더로 "
                       "지정하세요.",
                       "The conversation file {path} cannot be used: {detail}. Point PLANNER_DATA_DIR at a "
                       "writable folder."),
    "chat.err.prompt_empty": ("빈 메시지는 보낼 수 없습니다.", "An empty message cannot be sent."),
    "chat.err.prompt_long": ("메시지가 {chars}자로, 한도 {limit}자를 넘습니다. 나눠서 보내세요.",
                             "The message has {chars} characters, more than the {limit} allowed; split it up."),
    "chat.err.system_long": ("시스템 프롬프트가 {chars}자로, 한도 {limit}자를 넘습니다.",
                             "The system prompt has {chars} characters, more than the {limit} allowed."),
    "chat.err.model_name": ("'{value}'은(는) Ollama 모델 이름이 아닙니다 (예: llama3.2:3b).",
                            "'{value}' is not an Ollama model name (e.g. llama3.2:3b)."),
    "chat.err.nothing_to_answer": ("답할 질문이 없습니다. 먼저 메시지를 보내세요.",
                                   "There is no question to answer; send a message first."),
    "chat.lan_no_admin": ("LAN 사용자는 모델을 내리거나 받을 수 없습니다 (서버에서 ALLOW_LAN_ADMIN=1로 허용).",
                          "LAN users cannot unload or pull models (the server allows it with ALLOW_LAN_ADMIN=1)."),
    # --- several Ollama hosts (OLLAMA_HOSTS) ---
    "chat.host": ("Ollama 호스트", "Ollama host"),
    "chat.hosts": ("호스트", "Hosts"),
    "chat.host_up": ("Ollama {version}", "Ollama {version}"),
    "chat.host_in_use": ("사용 중", "in use"),
    "chat.host_checking": ("확인하는 중…", "Checking…"),
    "chat.host_loaded": ("로드된 모델: {models}", "Loaded: {models}"),
    "chat.host_none_loaded": ("로드된 모델 없음", "No model loaded"),
    "chat.host_recheck": ("다시 확인", "Check again"),
    "chat.host_answered": ("이 대화의 마지막 질문은 {host} 호스트가 받았습니다.",
                           "The last question of this conversation went to host {host}."),
    "chat.err.hosts_name": (
        "OLLAMA_HOSTS 항목 '{entry}'의 이름을 쓸 수 없습니다. 이름은 영문자·숫자로 시작하고 영문자, 숫자, '.', '_', "
        "'-'만 63자까지 씁니다. 예: gpu-a=http://10.0.0.5:11434,gpu-b=http://10.0.0.6:11434",
        "The name in OLLAMA_HOSTS entry '{entry}' cannot be used. A name starts with a letter or digit and has "
        "up to 63 letters, digits, '.', '_' or '-'. Example: gpu-a=http://10.0.0.5:11434,gpu-b=http://10.0.0.6:11434",
    ),
    "chat.err.hosts_url": (
        "OLLAMA_HOSTS 항목 '{entry}'의 주소를 읽을 수 없습니다. 이름=URL 쌍을 쉼표로 구분해 쓰고, URL은 http:// 또는 "
        "https://와 호스트, 선택적으로 포트를 씁니다 (이름 없이 URL만 쓰면 호스트 이름이 이름이 됩니다). 예: "
        "gpu-a=http://10.0.0.5:11434,gpu-b=10.0.0.6",
        "The address in OLLAMA_HOSTS entry '{entry}' cannot be read. Write name=URL pairs separated by commas; a "
        "URL is http:// or https://, a host and an optional port (a URL without a name is named after its host). "
        "Example: gpu-a=http://10.0.0.5:11434,gpu-b=10.0.0.6",
    ),
    "chat.err.hosts_duplicate": (
        "OLLAMA_HOSTS 항목 '{entry}': 이름 '{name}'이(가) 이미 쓰였습니다. 호스트마다 다른 이름을 붙이세요 "
        "(예: gpu-a=…,gpu-b=…).",
        "OLLAMA_HOSTS entry '{entry}': the name '{name}' is already used. Give each host its own name "
        "(e.g. gpu-a=…,gpu-b=…).",
    ),
    "chat.err.hosts_same_url": (
        "OLLAMA_HOSTS 항목 '{entry}': {url}이(가) 이미 다른 이름으로 들어 있습니다. 호스트마다 한 번만 쓰세요.",
        "OLLAMA_HOSTS entry '{entry}': {url} is already listed under another name. List each host once.",
    ),
}
