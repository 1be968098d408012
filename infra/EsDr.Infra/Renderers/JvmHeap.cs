using System.Globalization;

namespace EsDr.Infra.Renderers;

/// <summary>Sizes the JVM heap and renders it as a jvm.options.d file.</summary>
public static class JvmHeap
{
    /// <summary>Above ~31 GB the JVM loses compressed object pointers, so more heap buys less.</summary>
    public const int MaxHeapGb = 31;

    /// <summary>Half the memory (the rest is file-system cache for Lucene), capped at 31, at least 1.</summary>
    public static int HeapGb(int memoryGb) => Math.Clamp(memoryGb / 2, 1, MaxHeapGb);

    /// <summary>Equal -Xms and -Xmx so the heap never resizes at run time.</summary>
    public static string RenderOptions(int heapGb)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(heapGb, 1);
        var size = heapGb.ToString(CultureInfo.InvariantCulture);
        return $"-Xms{size}g\n-Xmx{size}g\n";
    }
}
