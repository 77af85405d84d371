import COpenSSL

/// AES-256-GCM through OpenSSL's EVP interface: authenticated encryption of the secrets a database holds.
enum AES256GCM {
    /// The key length in bytes.
    static let keyLength = 32
    /// The nonce (initialisation vector) length in bytes, GCM's recommended 96 bits.
    static let nonceLength = 12
    /// The authentication tag length in bytes.
    static let tagLength = 16

    /// The ciphertext of `plaintext` followed by its tag, authenticating `associatedData` too; nil only if OpenSSL fails.
    static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8]) -> [UInt8]? {
        guard key.count == keyLength, nonce.count == nonceLength, let context = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        var length: Int32 = 0
        let sealed = output.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress,
                  EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1,
                  EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1,
                  EVP_EncryptUpdate(context, base, &length, plaintext, Int32(plaintext.count)) == 1,
                  EVP_EncryptFinal_ex(context, base + Int(length), &length) == 1,
                  EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagLength), base + plaintext.count) == 1
            else { return false }
            return true
        }
        guard sealed else {
            ERR_clear_error()
            return nil
        }
        return output
    }

    /// The plaintext of a ciphertext-and-tag that `seal` made with this key, nonce and associated data, or nil when any of
    /// them differs or the bytes were changed.
    static func open(_ sealed: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8]) -> [UInt8]? {
        guard key.count == keyLength, nonce.count == nonceLength, sealed.count >= tagLength,
              let context = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        let ciphertextLength = sealed.count - tagLength
        var tag = Array(sealed[ciphertextLength...])
        var output = [UInt8](repeating: 0, count: ciphertextLength + 1)
        var length: Int32 = 0
        let opened = output.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress,
                  EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1,
                  EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1,
                  EVP_DecryptUpdate(context, base, &length, sealed, Int32(ciphertextLength)) == 1,
                  EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagLength), &tag) == 1,
                  EVP_DecryptFinal_ex(context, base + Int(length), &length) == 1
            else { return false }
            return true
        }
        guard opened else {
            ERR_clear_error()
            return nil
        }
        output.removeLast()
        return output
    }
}
