using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EsDr.Recovery.Tests.Operate;

namespace EsDr.Recovery.Tests.Watch;

/// <summary>
/// <c>es-dr-recovery serve --json</c> run in-process on the test bed, as Alertmanager's receiver on a fixed loopback
/// port, until stopped as SIGTERM would stop it. Its output is kept line by line as it is written, so it can be read
/// while it runs. Stopping and starting another on the same bed is a real restart: a new host, the same audit
/// database (the replay guard's table with it).
/// </summary>
internal sealed class ReceiverRun : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new(TimeSpan.FromMinutes(5));
    private readonly Task<int> run;

    private ReceiverRun(OperatorTestbed bed, int port, string tokenFile)
    {
        Port = port;
        run = Task.Run(() => bed.RunWritingToAsync(Output, Error, stop.Token,
            "serve", "--json", "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--webhook-token-file", tokenFile));
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public LineWriter Output { get; } = new();
    public LineWriter Error { get; } = new();

    public bool HasExited => run.IsCompleted;

    public static ReceiverRun Start(OperatorTestbed bed, int port, string tokenFile) => new(bed, port, tokenFile);

    /// <summary>When a round first reported <paramref name="diagnosis"/> (e.g. "ReplicaBroken dub") in force, by the daemon's clock; null until then.</summary>
    public DateTimeOffset? FirstDiagnosed(string diagnosis)
    {
        foreach (var line in Output.Lines())
        {
            if (!line.StartsWith('{')) continue;
            var json = JsonNode.Parse(line);
            if ((string?)json?["event"] == "round" && json["diagnoses"] is JsonArray diagnoses && diagnoses.Any(d => (string?)d == diagnosis))
                return DateTimeOffset.Parse((string)json["time"]!, CultureInfo.InvariantCulture);
        }
        return null;
    }

    public string Tail(int lines = 30) =>
        string.Join("\n", Output.Lines().TakeLast(lines)) + (Error.Lines() is { Count: > 0 } e ? "\nstderr:\n" + string.Join("\n", e.TakeLast(lines)) : "");

    /// <summary>Cancels it as SIGTERM would; its exit code, waiting at most 30 s.</summary>
    public async Task<int> StopAsync()
    {
        await stop.CancelAsync();
        return await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"the receiver did not stop: {e.Message}");
        }
        stop.Dispose();
    }
}

/// <summary>A writer whose complete lines may be read while another thread writes.</summary>
internal sealed class LineWriter : TextWriter
{
    private readonly Lock gate = new();
    private readonly StringBuilder partial = new();
    private readonly List<string> lines = [];

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (gate)
            Append(value);
    }

    public override void Write(string? value)
    {
        if (value is null) return;
        lock (gate)
        {
            foreach (var c in value)
                Append(c);
        }
    }

    private void Append(char value)
    {
        if (value == '\n')
        {
            lines.Add(partial.ToString().TrimEnd('\r'));
            partial.Clear();
        }
        else
        {
            partial.Append(value);
        }
    }

    public IReadOnlyList<string> Lines()
    {
        lock (gate)
            return [.. lines];
    }
}
