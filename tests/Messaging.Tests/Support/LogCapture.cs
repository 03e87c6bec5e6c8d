using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrderSystem.Messaging.Tests.Support;

/// <summary>Keeps warnings and errors a host logged, so a test can see that a failure was noticed (and how often).</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message, TimeSpan At)> _entries = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public IReadOnlyList<string> Warnings(string categoryContains) =>
        WarningsWithTime(categoryContains).Select(e => e.Message).ToList();

    /// <summary>The warnings with the time each was logged (since the capture started), in the order logged.</summary>
    public IReadOnlyList<(TimeSpan At, string Message)> WarningsWithTime(string categoryContains) =>
        _entries.Where(e => e.Level >= LogLevel.Warning && e.Category.Contains(categoryContains)).Select(e => (e.At, e.Message)).ToList();

    /// <summary>Every error (and critical) entry, whatever its category, as "category: message".</summary>
    public IReadOnlyList<string> Errors() =>
        _entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}").ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) owner._entries.Enqueue((category, logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception), owner._clock.Elapsed));
        }
    }
}
