using System.Text;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Cluster;
using Elastic.Clients.Elasticsearch.CrossClusterReplication;
using Elastic.Clients.Elasticsearch.LicenseManagement;
using Elastic.Transport;

namespace EsDr.Recovery.Tests.Support;

/// <summary>
/// In-process stand-ins built on the official client's own test double (<see cref="InMemoryRequestInvoker"/>): one
/// fixed answer with the headers a 9.x server sends; and the client's serializer, to read the specification's
/// examples into the typed responses the product code reads.
/// </summary>
internal static class InMemoryElasticsearch
{
    private static readonly ElasticsearchClient Reader = new(new ElasticsearchClientSettings(new Uri("http://127.0.0.1:9")));

    /// <summary>Answers every request with <paramref name="json"/> and <paramref name="status"/>, as a 9.x server would.</summary>
    public static InMemoryRequestInvoker Answering(string json, int status = 200) =>
        new(Encoding.UTF8.GetBytes(json), status, null, "application/vnd.elasticsearch+json;compatible-with=9",
            new Dictionary<string, IEnumerable<string>> { ["x-elastic-product"] = [ElasticsearchWire.Product] });

    /// <summary>The typed response the client makes of <paramref name="json"/>.</summary>
    public static T Read<T>(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return Reader.RequestResponseSerializer.Deserialize<T>(stream)!;
    }

    public static T Read<T>(System.Text.Json.Nodes.JsonNode json) => Read<T>(json.ToJsonString());
}
