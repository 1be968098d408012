using System.Text;

namespace EsDr.Recovery.Observe.MySql;

/// <summary>
/// The stack's CA, known as PEM text (its <c>caCertificate</c> output), as the file the driver's <c>SslCa</c> option
/// names: in a fresh directory only this user may enter (0700), the file itself 0600 as everything recovery writes,
/// both removed on <see cref="Dispose"/>.
/// </summary>
internal sealed class MySqlCaFile : IDisposable
{
    private readonly string _directory;

    private MySqlCaFile(string directory, string path) => (_directory, Path) = (directory, path);

    public string Path { get; }

    public static MySqlCaFile Write(string pem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pem);
        if (!pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            throw new ArgumentException("The stack's CA is not a PEM certificate.", nameof(pem));
        var directory = Directory.CreateTempSubdirectory("esdr-mysql-ca-").FullName;
        var path = System.IO.Path.Combine(directory, "ca.pem");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(path, options))
        {
            stream.Write(new UTF8Encoding(false).GetBytes(pem));
        }
        return new MySqlCaFile(directory, path);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }
}
