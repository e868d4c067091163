import Datasets
import Foundation
import Testing
import _TestSupport

/// `ImageFolder`'s resizing is TensorFlow's bilinear filter (`tf.image.resize(…, "bilinear")`,
/// no antialiasing), which `image_dataset_from_directory(interpolation="bilinear")` uses:
/// compared with TensorFlow's own output (`Tests/Golden/keras-brick-layers.json`, made once by
/// `scripts/keras_brick_layers.py`), downwards, upwards, in colour and at the same size.
@Suite struct BilinearResizeTests {
    @Test(arguments: ["down_9x7x1_to_4x3", "up_3x5x1_to_7x8", "down_40x48x3_to_32x32", "same_5x5x1"])
    func resizingMatchesTensorFlow(_ name: String) throws {
        let cases = try #require(try Golden.repositoryCases("keras-brick-layers.json")["bilinear_resize"] as? [String: Any])
        let entry = try #require(cases[name] as? [String: Any])
        let input = try Golden.tensor(entry["input"]), expected = try Golden.tensor(entry["output"])
        let resized = BilinearResize.resize(input.scalars, height: input.shape[0], width: input.shape[1], channels: input.shape[2],
                                            toHeight: expected.shape[0], toWidth: expected.shape[1])
        #expect(resized.count == expected.scalars.count)
        let worst = zip(resized, expected.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-3, "\(name): largest difference \(worst) of 0…255")
    }
}
