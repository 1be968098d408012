using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EsDr.Benchmarks.WatchFootprint;

/// <summary>
/// Elasticsearch stand-ins (loopback HTTP, one port per region "r0".."rN-1"): the endpoints the daemon's probes read,
/// answered with the official examples' shapes (Examples/, copied from the API specification) — a green three-node
/// cluster with one active follower index, and every other region as a connected proxy-mode remote.
/// </summary>
internal static class StandIns
{
    public static string Region(int i) => "r" + i.ToString(CultureInfo.InvariantCulture);

    public static async Task ServeAsync(int regions)
    {
        var examples = Path.Combine(AppContext.BaseDirectory, "Examples");
        var health = JsonNode.Parse(File.ReadAllText(Path.Combine(examples, "cluster.health.response.json")))!;
        health["status"] = "green";
        health["number_of_nodes"] = 3;
        var followInfo = File.ReadAllText(Path.Combine(examples, "ccr.follow_info.active.response.json"));
        var ccrStats = File.ReadAllText(Path.Combine(examples, "ccr.stats.response.json"));

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls([.. Enumerable.Range(0, regions).Select(_ => "http://127.0.0.1:0")]);
        var app = builder.Build();
        app.Run(context =>
        {
            var region = RegionOf(app, context.Connection.LocalPort);
            var body = context.Request.Path.Value switch
            {
                "/_cluster/health" => health.ToJsonString(),
                "/_cat/nodes" => new JsonArray([.. Enumerable.Range(0, 3).Select(n => (JsonNode)new JsonObject { ["name"] = $"es-{region}-{n}" })]).ToJsonString(),
                "/_all/_ccr/info" => followInfo,
                "/_ccr/stats" => ccrStats,
                "/_remote/info" => RemoteInfo(regions, region),
                _ => null,
            };
            context.Response.StatusCode = body is null ? 404 : 200;
            // As a 9.x server answers the 9.x client: its product check needs the header.
            context.Response.ContentType = "application/vnd.elasticsearch+json;compatible-with=9";
            context.Response.Headers["X-Elastic-Product"] = "Elasticsearch";
            return context.Response.WriteAsync(body ?? """{"error":"not served by the stand-in"}""");
        });
        await app.StartAsync();
        foreach (var url in app.Urls)
            Console.WriteLine(url);
        Console.WriteLine("ready");
        await app.WaitForShutdownAsync();
    }

    private static string RegionOf(WebApplication app, int port) =>
        Region(app.Urls.Select((u, i) => (new Uri(u).Port, i)).First(p => p.Port == port).i);

    private static string RemoteInfo(int regions, string self)
    {
        var remotes = new JsonObject();
        foreach (var other in Enumerable.Range(0, regions).Select(Region).Where(r => r != self))
        {
            remotes[other] = new JsonObject
            {
                ["mode"] = "proxy",
                ["connected"] = true,
                ["initial_connect_timeout"] = "30s",
                ["skip_unavailable"] = false,
                ["proxy_address"] = $"{other}.internal:9300",
                ["server_name"] = $"{other}.internal",
                ["num_proxy_sockets_connected"] = 18,
                ["max_proxy_socket_connections"] = 18,
            };
        }
        return remotes.ToJsonString();
    }
}
