using System.Runtime.InteropServices;
using System.Text;

namespace EsDr.Infra.Config;

/// <summary>
/// Reads a file the compiler is given (a stack file, the project's Pulumi.yaml) as text, refusing before it
/// opens anything that is not a regular file — a FIFO would block the open until a writer came, a device such
/// as /dev/zero never ends — and reading at most one byte past <see cref="StackFileLimits.MaxBytes"/>.
/// </summary>
internal static class ConfigFileText
{
    /// <exception cref="ConfigFileUnreadableException">Missing, not a regular file, or the read failed.</exception>
    /// <exception cref="InvalidConfigException">Larger than the limit, or not UTF-8 (or UTF-16/32 with a byte order mark).</exception>
    public static string Read(string path, string kind)
    {
        if (KindOf(path) is { } notRegular) throw new ConfigFileUnreadableException(path, notRegular);
        byte[] bytes;
        try
        {
            bytes = ReadAtMost(path, StackFileLimits.MaxBytes + 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigFileUnreadableException(path, $"cannot be read: {e.Message}");
        }
        var name = System.IO.Path.GetFileName(path);
        if (bytes.Length > StackFileLimits.MaxBytes)
            throw new InvalidConfigException([new ConfigError(name, $"is larger than 1 MiB, the limit for a {kind}")]);
        return Decode(bytes) ?? throw new InvalidConfigException([new ConfigError(name, "is not UTF-8 text")]);
    }

    private static byte[] ReadAtMost(string path, int count)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        var buffer = new byte[count];
        var filled = 0;
        // Not the file's length: /proc files say 0 and have content; read until the end or one byte past the limit.
        for (int read; filled < count && (read = stream.Read(buffer, filled, count - filled)) > 0;) filled += read;
        return buffer[..filled];
    }

    /// <summary>UTF-8 unless a byte order mark says UTF-16 or UTF-32 (as File.ReadAllText reads), strictly: null when invalid.</summary>
    private static string? Decode(byte[] bytes)
    {
        Encoding encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var skip = 0;
        foreach (var candidate in (Encoding[])[new UTF32Encoding(false, true, true), new UTF32Encoding(true, true, true),
                     new UnicodeEncoding(false, true, true), new UnicodeEncoding(true, true, true), new UTF8Encoding(true, true)])
        {
            var bom = candidate.Preamble;
            if (bom.Length > 0 && bytes.AsSpan().StartsWith(bom))
            {
                (encoding, skip) = (candidate, bom.Length);
                break;
            }
        }
        try
        {
            return encoding.GetString(bytes, skip, bytes.Length - skip);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Null for a regular file (or one whose kind cannot be told), otherwise why it is not read.</summary>
    private static string? KindOf(string path)
    {
        int mode;
        try
        {
            if (Stat(path, out var status) != 0)
                return File.Exists(path) || Directory.Exists(path) ? null : "does not exist";
            mode = status.Mode & FileTypeMask;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No POSIX layer (Windows): it has no FIFOs to block on; tell directories and missing files apart.
            return Directory.Exists(path) ? "is a directory; name a Pulumi.<stack>.yaml file" : File.Exists(path) ? null : "does not exist";
        }
        return mode switch
        {
            RegularFile => null,
            DirectoryFile => "is a directory; name a Pulumi.<stack>.yaml file",
            _ => $"is not a regular file ({Spell(mode)}); name a Pulumi.<stack>.yaml file",
        };
    }

    private static string Spell(int mode) => mode switch
    {
        Fifo => "a FIFO",
        CharacterDevice => "a character device",
        BlockDevice => "a block device",
        Socket => "a socket",
        _ => $"file type 0x{mode:X}",
    };

    // .NET's own portable stat (System.Native, shipped with every runtime on Unix): file types as POSIX numbers them.
    private const int FileTypeMask = 0xF000, Fifo = 0x1000, CharacterDevice = 0x2000, DirectoryFile = 0x4000,
        BlockDevice = 0x6000, RegularFile = 0x8000, Socket = 0xC000;

    /// <summary>
    /// The runtime's <c>FileStatus</c> begins with its flags and mode; the rest (times, sizes, ids) is room for the
    /// native side to write, kept larger than the struct has ever been.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
    }

    // DllImport, not LibraryImport: the generated marshaller would need unsafe code in the whole project.
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out FileStatus status);
}
