"""The AI configuration as plain data; `config_from_settings` is the one place that reads
Django settings."""

from dataclasses import dataclass

# Official list price of gpt-4o-mini (USD per 1M tokens, https://openai.com/api/pricing/):
# input 0.15, output 0.60. Override AI_PRICE_* when changing OPENAI_MODEL.
DEFAULT_PRICE_INPUT_PER_1M = 0.15
DEFAULT_PRICE_OUTPUT_PER_1M = 0.60


@dataclass(frozen=True)
class AIConfig:
    api_key: str = ""
    base_url: str = ""  # empty: the official API
    model: str = "gpt-4o-mini"
    timeout_s: float = 30.0
    use_images: bool = False
    text_budget_chars: int = 2000
    price_input_per_1m: float = DEFAULT_PRICE_INPUT_PER_1M
    price_output_per_1m: float = DEFAULT_PRICE_OUTPUT_PER_1M

    @property
    def configured(self) -> bool:
        return bool(self.api_key) and bool(self.model)

    @property
    def not_configured_reason(self) -> str:
        """Why nothing can be classified, or "" when it can."""
        if not self.api_key:
            return (
                "AI not configured: OPENAI_API_KEY is empty, so posts stay pending. Set it "
                "(any non-empty value for a local server that needs no key)."
            )
        if not self.model:
            return "AI not configured: OPENAI_MODEL is empty."
        return ""

    @property
    def assistance_off_reason(self) -> str:
        """Why the AI assistance is off ("" when it is on), said for the person on the page
        (after "AI assistance is off: "), not in the classifier's words about pending posts."""
        if self.configured:
            return ""
        missing = "OPENAI_API_KEY" if not self.api_key else "OPENAI_MODEL"
        return (
            f"{missing} is not set on the server; whoever runs CreatorOps can set it (any "
            "non-empty key for a local server that needs none)."
        )

    def cost_usd(self, *, prompt_tokens: int, completion_tokens: int) -> float:
        """What these tokens cost at the configured prices."""
        return (
            prompt_tokens * self.price_input_per_1m + completion_tokens * self.price_output_per_1m
        ) / 1_000_000


def config_from_settings() -> AIConfig:
    """The configuration from Django settings (OPENAI_*, AI_*)."""
    from django.conf import settings

    return AIConfig(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL,
        model=settings.OPENAI_MODEL,
        timeout_s=settings.AI_TIMEOUT_S,
        use_images=settings.AI_USE_IMAGES,
        text_budget_chars=settings.AI_TEXT_BUDGET_CHARS,
        price_input_per_1m=settings.AI_PRICE_INPUT_PER_1M,
        price_output_per_1m=settings.AI_PRICE_OUTPUT_PER_1M,
    )
