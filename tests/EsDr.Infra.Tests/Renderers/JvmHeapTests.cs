using EsDr.Infra.Renderers;

namespace EsDr.Infra.Tests.Renderers;

public class JvmHeapTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 1)]
    [InlineData(4, 2)]
    [InlineData(8, 4)]
    [InlineData(15, 7)]
    [InlineData(16, 8)]
    [InlineData(62, 31)]
    [InlineData(64, 31)]
    [InlineData(256, 31)]
    public void HeapGb_Is_HalfOfMemory_CappedAt31(int memoryGb, int expectedHeapGb) =>
        Assert.Equal(expectedHeapGb, JvmHeap.HeapGb(memoryGb));

    [Theory]
    [InlineData(1, "-Xms1g\n-Xmx1g\n")]
    [InlineData(31, "-Xms31g\n-Xmx31g\n")]
    public void RenderOptions_SetsEqualMinimumAndMaximumHeap(int heapGb, string expected) =>
        Assert.Equal(expected, JvmHeap.RenderOptions(heapGb));

    [Fact]
    public void RenderOptions_HeapBelowOneGb_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => JvmHeap.RenderOptions(0));
}
