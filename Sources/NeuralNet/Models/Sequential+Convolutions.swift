extension Sequential {
    /// Makes every convolution of the model (nested models included) use direct products
    /// instead of Winograd tiles, from the next call on.
    ///
    /// Winograd tiles round differently: a layer's results stay within 2e-5 of the direct ones
    /// (relative to the largest value), but a whole GAN step amplifies rounding about a
    /// thousandfold, so comparisons with another library at float rounding (the two-step DCGAN
    /// parity with Keras) use the direct products. Results stay deterministic either way.
    public func useDirectConvolutions() {
        for layer in layers {
            switch layer {
            case let conv as Conv2D: conv.engine?.useDirectProducts()
            case let conv as Conv2DTranspose: conv.engine?.useDirectProducts()
            case let nested as NestedModel: nested.model.useDirectConvolutions()
            default: break
            }
        }
    }
}
