using System.Text;
using System.Text.Json;
using EsDr.Infra.Renderers;
using YamlDotNet.Serialization;

namespace EsDr.Infra.Tests.Renderers;

/// <summary>Files known at compile time written gzip-compressed: cloud-init writes exactly what was rendered.</summary>
public class CloudConfigCompressionTests
{
    private static readonly string LargeConfig = string.Concat(Enumerable.Range(1, 200).Select(i => $"setting_{i} = the same few words again\n"));

    private static readonly string UserData = CloudInit.Header + $$"""
        package_update: true
        write_files:
          - path: "/etc/large.conf"
            owner: "root:root"
            permissions: "0644"
            content: |
        {{string.Concat(LargeConfig.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => $"      {l}\n"))}}    defer: true
          - path: "/etc/small.conf"
            owner: "root:root"
            permissions: "0644"
            content: |
              x=1
            defer: true
          - path: "/etc/secret.env"
            owner: "root:root"
            permissions: "0600"
            content: |
        {{string.Concat(Enumerable.Range(1, 50).Select(i => $"      PASSWORD_{i}=${{pw.result}}\n"))}}    defer: true
          - path: "/etc/escaped.sh"
            owner: "root:root"
            permissions: "0755"
            content: |
        {{string.Concat(Enumerable.Range(1, 50).Select(i => $"      echo $${{HOME}} {i}\n"))}}    defer: true
          - path: "/etc/ca.crt"
            owner: "root:root"
            permissions: "0644"
            encoding: "b64"
            content: "${es-ca-cert-b64}"
            defer: true
        runcmd:
          - "true"

        """;

    /// <summary>
    /// What cloud-init's own write_files module makes of each entry's content known at compile time (its decoding code,
    /// run by its interpreter), by path.
    /// </summary>
    internal static async Task<Dictionary<string, string>> WrittenByCloudInit(string userData)
    {
        using var dir = new TempDir();
        var file = dir.Write("user-data.yaml", userData);
        var interpreter = File.ReadLines(RealTool.Locate("cloud-init") ?? throw new InvalidOperationException("cloud-init is not installed")).First()[2..];
        var (exitCode, output) = await RealTool.RunAsync(interpreter, "-c", """
            import json, sys
            from cloudinit import util
            from cloudinit.config.cc_write_files import canonicalize_extraction, extract_contents
            written = {}
            for f in util.load_yaml(open(sys.argv[1]).read())["write_files"]:
                if "${" in f["content"]:  # resolved by Pulumi at deploy time, decoded only then
                    continue
                content = extract_contents(f["content"], canonicalize_extraction(f.get("encoding")))
                written[f["path"]] = content.decode() if isinstance(content, bytes) else content
            print(json.dumps(written))
            """, file);
        Assert.True(exitCode == 0, output);
        return JsonSerializer.Deserialize<Dictionary<string, string>>(output)!;
    }

    private static Dictionary<string, object> Parse(string userData) =>
        new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(userData);

    [Fact]
    public async Task CompressFiles_LargeFileKnownAtCompileTime_IsWrittenByCloudInitAsRendered()
    {
        var (compressed, files) = CloudConfigCompression.CompressFiles(UserData);

        var written = await WrittenByCloudInit(compressed);

        Assert.Equal(new CompressedFile("/etc/large.conf", LargeConfig), files[0]);
        Assert.Equal(LargeConfig, written["/etc/large.conf"]);
        Assert.Contains("    encoding: \"gz+b64\"\n    content: \"H4sI", compressed, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(compressed) < Encoding.UTF8.GetByteCount(UserData) - 4000);
    }

    [Fact]
    public async Task CompressFiles_EscapedDollars_AreCompressedAsTheTextPulumiWouldWrite()
    {
        // Inside base64 Pulumi reads no $$: the compressed text must already be what Pulumi makes of it.
        var expected = string.Concat(Enumerable.Range(1, 50).Select(i => $"echo ${{HOME}} {i}\n"));

        var (compressed, files) = CloudConfigCompression.CompressFiles(UserData);

        Assert.Equal(new CompressedFile("/etc/escaped.sh", expected), files[1]);
        Assert.Equal(expected, (await WrittenByCloudInit(compressed))["/etc/escaped.sh"]);
        Assert.DoesNotContain("$$", compressed, StringComparison.Ordinal);
    }

    [Fact]
    public void CompressFiles_InterpolatedEncodedOrTinyContent_StaysAsItIs()
    {
        var (compressed, _) = CloudConfigCompression.CompressFiles(UserData);

        static IEnumerable<object> Kept(string text) => ((List<object>)Parse(text)["write_files"]).Where((_, i) => i is 1 or 2 or 4);
        Assert.Equal(new SerializerBuilder().Build().Serialize(Kept(UserData)), new SerializerBuilder().Build().Serialize(Kept(compressed)));
        Assert.Contains("PASSWORD_1=${pw.result}", compressed, StringComparison.Ordinal);
    }

    [Fact]
    public void CompressFiles_KeepsEveryOtherKeyAndTheHeader()
    {
        var (compressed, _) = CloudConfigCompression.CompressFiles(UserData);

        Assert.StartsWith(CloudInit.Header + "package_update: true\nwrite_files:\n", compressed, StringComparison.Ordinal);
        Assert.EndsWith("runcmd:\n  - \"true\"\n", compressed, StringComparison.Ordinal);
    }

    [Fact]
    public void CompressFiles_NothingToCompress_ReturnsTheTextUnchanged()
    {
        var plain = CloudInit.Header + "write_files:\n  - path: \"/etc/a\"\n    content: |\n      a\n";
        var (text, files) = CloudConfigCompression.CompressFiles(plain);

        Assert.Equal(plain, text);
        Assert.Empty(files);
    }

    [Fact]
    public async Task CompressFiles_Result_PassesCloudInitSchema()
    {
        using var dir = new TempDir();
        var file = dir.Write("user-data.yaml", CloudConfigCompression.CompressFiles(UserData).CloudConfig);

        var (exitCode, output) = await RealTool.RunAsync("cloud-init", "schema", "--config-file", file);

        Assert.True(exitCode == 0, output);
        Assert.Contains("Valid cloud-config", output, StringComparison.Ordinal);
    }
}
