using System.IO.Compression;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Renderers;

/// <summary>A file a cloud-config writes from compressed content, with its text as written on the host.</summary>
public sealed record CompressedFile(string Path, string Content);

/// <summary>
/// Shrinks a cloud-config by writing its <c>write_files</c> contents known at compile time gzip-compressed and base64
/// encoded (<c>encoding: gz+b64</c>, which cloud-init decodes before writing the file). Pulumi YAML has no gzip
/// function, so content with a <c>${…}</c> (resolved at deploy time) stays as it is, as do every entry that already
/// names an encoding and every file too small for compression to make it smaller. What is compressed is the text
/// Pulumi would have written (<c>$$</c> read as <c>$</c>): base64 holds no <c>$</c> for Pulumi to read. The rest of
/// the document is left as it was.
/// </summary>
public static class CloudConfigCompression
{
    public const string Encoding = "gz+b64";

    private const int OperatingSystemByte = 9;

    public static (string CloudConfig, IReadOnlyList<CompressedFile> Compressed) CompressFiles(string cloudConfig)
    {
        ArgumentNullException.ThrowIfNull(cloudConfig);
        if (!cloudConfig.StartsWith(CloudInit.Header, StringComparison.Ordinal))
            throw new ArgumentException("not a #cloud-config document", nameof(cloudConfig));
        var stream = new YamlStream();
        stream.Load(new StringReader(cloudConfig));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        if (!root.Children.TryGetValue(new YamlScalarNode("write_files"), out var node) || node is not YamlSequenceNode files)
            return (cloudConfig, []);
        var compressed = new List<CompressedFile>();
        for (var i = 0; i < files.Children.Count; i++)
        {
            if (files.Children[i] is not YamlMappingNode file || LiteralContent(file) is not { } content) continue;
            var packed = WithCompressedContent(file, content);
            if (Size(packed) >= Size(file)) continue;
            files.Children[i] = packed;
            compressed.Add(new CompressedFile(Scalar(file, "path") ?? "", content));
        }
        return compressed.Count == 0 ? (cloudConfig, []) : (CloudInit.Header + Yaml.Serialize(root), compressed);
    }

    /// <summary>What cloud-init writes for <c>gz+b64</c> content.</summary>
    public static string Decompress(string base64)
    {
        using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(base64)), CompressionMode.Decompress);
        using var text = new StreamReader(gzip, System.Text.Encoding.UTF8);
        return text.ReadToEnd();
    }

    /// <summary>The file's content as written on the host, when it is known now and not already encoded; else null.</summary>
    private static string? LiteralContent(YamlMappingNode file) =>
        file.Children.ContainsKey(new YamlScalarNode("encoding")) || Scalar(file, "content") is not { } content
            ? null
            : Program.Ref.AsLiteral(content);

    /// <summary>The same entry, keys in the same order, with <c>encoding</c> just before the compressed <c>content</c>.</summary>
    private static YamlMappingNode WithCompressedContent(YamlMappingNode file, string content)
    {
        var entries = new List<KeyValuePair<string, YamlNode>>();
        foreach (var (key, value) in file.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (name == "content")
            {
                entries.Add(Yaml.Entry("encoding", Yaml.Str(Encoding)));
                entries.Add(Yaml.Entry("content", Yaml.Str(Compress(content))));
            }
            else
            {
                entries.Add(Yaml.Entry(name, value));
            }
        }
        return Yaml.Map(entries);
    }

    /// <summary>
    /// An entry's size as a list item. Within the document each line is indented further, which only adds to the
    /// plain entry's many lines, so an entry smaller here is smaller there.
    /// </summary>
    private static int Size(YamlMappingNode file) => System.Text.Encoding.UTF8.GetByteCount(Yaml.Serialize(Yaml.List([file])));

    private static string Compress(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(text));
        var bytes = buffer.ToArray();
        // RFC 1952's OS byte says where zlib was built (Unix, Windows, macOS); "unknown" keeps the program the same on every
        // machine that compiles it. The header is outside the CRC, which covers the uncompressed text.
        bytes[OperatingSystemByte] = 0xFF;
        return Convert.ToBase64String(bytes);
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { } text } ? text : null;
}
