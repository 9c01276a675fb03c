namespace LlmFineTune.Tests.Pretraining;

/// <summary>A clock that moves a fixed time forward each time it is read, so every timed step "takes" exactly that long.</summary>
internal sealed class FixedStepClock(TimeSpan perRead) : TimeProvider
{
    private long ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => ticks += perRead.Ticks;
}
