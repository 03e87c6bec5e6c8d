namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>One phase of the <c>flow</c> mode: flows completed per second, the CPU seconds they took, their latency.</summary>
internal sealed record FlowPhase(int Flows, double PerSecond, CpuSeconds Cpu, double P50, double P99)
{
    public static FlowPhase Measure(int flows, TimeSpan elapsed, CpuSeconds before, CpuSeconds after, FlowTracker tracker) =>
        new(flows, flows / elapsed.TotalSeconds, after - before, tracker.LatencyMs(50), tracker.LatencyMs(99));
}
