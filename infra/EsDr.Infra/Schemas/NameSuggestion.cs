namespace EsDr.Infra.Schemas;

/// <summary>Finds the name someone most likely meant: the same name in another case, else the nearest by edit distance.</summary>
internal static class NameSuggestion
{
    public static string? Closest(string written, IEnumerable<string> candidates)
    {
        var names = candidates as IReadOnlyCollection<string> ?? candidates.ToArray();
        var sameLetters = names.FirstOrDefault(n => string.Equals(n, written, StringComparison.OrdinalIgnoreCase));
        if (sameLetters is not null)
        {
            return sameLetters;
        }

        var allowed = written.Length switch
        {
            < 4 => 1,
            < 12 => 2,
            _ => 3,
        };
        string? best = null;
        var bestDistance = allowed + 1;
        foreach (var name in names)
        {
            if (Math.Abs(name.Length - written.Length) > allowed)
            {
                continue;
            }

            var distance = Distance(written, name);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (name, distance);
            }
        }

        return best;
    }

    /// <summary><c> (did you mean 'x'?)</c>, or nothing when no name is close.</summary>
    public static string Hint(string written, IEnumerable<string> candidates) =>
        Closest(written, candidates) is { } name ? $" (did you mean '{name}'?)" : string.Empty;

    /// <summary>Levenshtein distance, ignoring case.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
