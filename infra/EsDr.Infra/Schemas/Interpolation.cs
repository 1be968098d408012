using System.Globalization;
using System.Text;

namespace EsDr.Infra.Schemas;

/// <summary>One step of a property access: <c>.name</c> or <c>["name"]</c> (a <see cref="Name"/>), or <c>[3]</c> (an <see cref="Index"/>).</summary>
internal sealed record PropertyAccessor(string? Name, int? Index);

/// <summary>One <c>${root.path[0]}</c> in a string; <see cref="Source"/> is its text as written.</summary>
internal sealed record Interpolation(string Source, IReadOnlyList<PropertyAccessor> Path)
{
    public string RootName => Path[0].Name ?? string.Empty;
}

/// <summary>
/// What a string means to Pulumi YAML: its interpolations, whether it is exactly one of them and nothing else
/// (then its value is the referenced value, of any type), and a syntax error if it has one.
/// <see cref="LiteralText"/> is the rest, as Pulumi leaves it (<c>$$</c> read as <c>$</c>), and
/// <see cref="LiteralUtf8Length"/> its length in UTF-8 bytes, counted without building it.
/// </summary>
internal sealed record InterpolatedString(string Text, IReadOnlyList<Interpolation> Interpolations, bool IsSingleExpression, string? SyntaxError, long LiteralUtf8Length)
{
    public bool HasInterpolations => Interpolations.Count > 0;

    /// <summary>The literal rest, built when asked for (user-data blocks run to tens of kilobytes, and only lengths are needed).</summary>
    public string LiteralText
    {
        get
        {
            var literal = new StringBuilder(Text.Length);
            Scan(Text, literal);
            return literal.ToString();
        }
    }

    /// <summary>
    /// Parses like Pulumi YAML: <c>$$</c> is a literal <c>$</c> (so <c>$${x}</c> is the text <c>${x}</c>),
    /// <c>${</c> starts a property access that ends at <c>}</c>.
    /// </summary>
    public static InterpolatedString Parse(string text) => Scan(text, null);

    // One pass over the text; the literal rest is appended to `literal` when one is given, and only counted otherwise.
    private static InterpolatedString Scan(string text, StringBuilder? literal)
    {
        var interpolations = new List<Interpolation>();
        // Most text has no '$' at all, and user-data blocks run to tens of kilobytes: the runs between one '$' and the
        // next are searched for (vectorised) and counted or copied whole rather than a character at a time.
        long bytes = 0;
        var chars = 0;
        void Literal(ReadOnlySpan<char> run)
        {
            literal?.Append(run);
            bytes += Encoding.UTF8.GetByteCount(run);
            chars += run.Length;
        }

        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != '$')
            {
                var next = text.IndexOf('$', i);
                var end = next < 0 ? text.Length : next;
                Literal(text.AsSpan(i, end - i));
                i = end;
            }
            else if (i + 1 < text.Length && text[i + 1] == '$')
            {
                Literal("$");
                i += 2;
            }
            else if (i + 1 < text.Length && text[i + 1] == '{')
            {
                var start = i;
                var (path, end, error) = ParseAccess(text, i + 2);
                if (error is not null)
                {
                    return new InterpolatedString(text, interpolations, false, error, bytes);
                }

                interpolations.Add(new Interpolation(text[start..end], path));
                i = end;
            }
            else
            {
                Literal(text.AsSpan(i, 1));
                i++;
            }
        }

        return new InterpolatedString(text, interpolations, interpolations.Count == 1 && chars == 0, null, bytes);
    }

    /// <summary>Reads <c>root{.name|["key"]|[index]}</c> up to and including the closing brace.</summary>
    private static (IReadOnlyList<PropertyAccessor> Path, int End, string? Error) ParseAccess(string text, int i)
    {
        var path = new List<PropertyAccessor>();
        while (i < text.Length)
        {
            switch (text[i])
            {
                case '}':
                    return path.Count == 0
                        ? ([], i, "empty interpolation '${}'")
                        : (path, i + 1, null);
                case '.':
                    i++;
                    break;
                case '[' when i + 1 < text.Length && text[i + 1] == '"':
                {
                    var key = new StringBuilder();
                    var j = i + 2;
                    while (true)
                    {
                        if (j >= text.Length)
                        {
                            return ([], j, "missing closing quote in a property name");
                        }

                        if (text[j] == '"')
                        {
                            j++;
                            break;
                        }

                        if (text[j] == '\\' && j + 1 < text.Length && text[j + 1] == '"')
                        {
                            key.Append('"');
                            j += 2;
                        }
                        else
                        {
                            key.Append(text[j]);
                            j++;
                        }
                    }

                    if (j >= text.Length || text[j] != ']')
                    {
                        return ([], j, "missing closing bracket in a property access");
                    }

                    path.Add(new PropertyAccessor(key.ToString(), null));
                    i = j + 1;
                    break;
                }

                case '[':
                {
                    var close = text.IndexOf(']', i);
                    if (close < 0)
                    {
                        return ([], i, "missing closing bracket in a list index");
                    }

                    if (!int.TryParse(text.AsSpan(i + 1, close - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                    {
                        return ([], i, $"invalid list index '{text[(i + 1)..close]}'");
                    }

                    if (path.Count == 0)
                    {
                        return ([], i, "an interpolation must start with a name, not a list index");
                    }

                    path.Add(new PropertyAccessor(null, index));
                    i = close + 1;
                    break;
                }

                default:
                {
                    var j = i;
                    while (j < text.Length && text[j] is not ('.' or '[' or '}'))
                    {
                        j++;
                    }

                    path.Add(new PropertyAccessor(text[i..j], null));
                    i = j;
                    break;
                }
            }
        }

        return ([], i, "unterminated interpolation (no closing '}'; write $${ for a literal '${')");
    }
}
