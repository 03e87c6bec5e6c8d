namespace OrderSystem.EndToEnd.Benchmarks;

/// <summary>
/// How long both modes place orders before measuring. Perf samples of an idle Ordering process after a 10-second
/// warm-up were half in the JIT (tier-up of the code the warm-up ran); a minute at a moderate rate lets it settle.
/// E2E_WARMUP_SECONDS overrides it.
/// </summary>
internal static class WarmUp
{
    public static int Seconds { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("E2E_WARMUP_SECONDS"), out var seconds) && seconds > 0 ? seconds : 60;
}
