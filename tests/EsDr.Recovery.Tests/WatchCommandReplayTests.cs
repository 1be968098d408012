using System.Net;
using System.Text.Json.Nodes;
using EsDr.Recovery.Tests.Operate;

namespace EsDr.Recovery.Tests;

public sealed partial class WatchCommandTests
{
    [Fact]
    public async Task Serve_RestartedOnTheSameAuditDatabase_DoesNotPassOnTheReplayedFiringOfAnAlertItSawResolve()
    {
        using var bed = new OperatorTestbed();
        bed.Environment[TokenVariable] = Token;
        var firing = Payload("fp-replayed");
        var resolved = firing.Replace("\"firing\"", "\"resolved\"", StringComparison.Ordinal);
        using (var first = Daemon.Start(bed, "serve"))
        {
            await first.WaitForRoundsAsync(1);
            Assert.Equal(1, await EnqueuedAsync(first, firing));
            Assert.Equal(1, await EnqueuedAsync(first, resolved));
            Assert.Equal(ExitCodes.Ok, await first.StopAsync());
        }

        using var restarted = Daemon.Start(bed, "serve");
        await restarted.WaitForRoundsAsync(1);
        var replayed = await EnqueuedAsync(restarted, firing);

        Assert.Equal(0, replayed);
        Assert.Equal(ExitCodes.Ok, await restarted.StopAsync());
    }

    private const string TokenVariable = WatchCommand.TokenVariable;

    private static async Task<int> EnqueuedAsync(Daemon daemon, string body)
    {
        using var response = await daemon.PostAsync(body, Token);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["enqueued"]!;
    }
}
