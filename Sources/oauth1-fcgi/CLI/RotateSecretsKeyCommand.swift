import ArgumentParser
import OAuth1Gateway
import ProviderStorage
#if canImport(Glibc)
import Glibc
#endif

/// `oauth1-fcgi rotate-secrets-key`: seals every client and token secret under a new key while the site serves.
struct RotateSecretsKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-secrets-key",
        abstract: "Seal every client and token secret under a new key while the site serves.",
        discussion: """
        Without a flag (one host): adds a new key to the secrets key file, seals every secret under it, and removes the \
        old keys; the old key keeps opening secrets until the end. Workers read the file again when it changes. \
        With several hosts, do it in three steps and copy the key file to every host after each: --stage adds a new \
        key that only opens; --promote seals with it (the old keys still open); --finish seals what is left and \
        removes the old keys.
        """)

    @Flag(help: "Add a new key that opens secrets but does not seal them yet.")
    var stage = false

    @Flag(help: "Seal every secret under the staged key; the old keys still open.")
    var promote = false

    @Flag(help: "Seal what is left under the current key and remove every other key.")
    var finish = false

    @Option(help: "Seconds to wait after changing the key file, so that every worker reads it before secrets are sealed again.")
    var grace: UInt32 = 2

    @OptionGroup var options: CommonOptions

    func run() throws {
        guard [stage, promote, finish].filter({ $0 }).count <= 1 else {
            throw CommandFailure("give at most one of --stage, --promote and --finish")
        }
        let backend = try options.stores().backend
        guard let path = backend.secrets.keyFilePath else { throw CommandFailure("this site has no secrets key file") }
        let ring = try backend.secrets.reload()
        if stage {
            let added = SecretsKeyRing.Key.generate()
            try SecretsKeyFile.replace(path, with: SecretsKeyRing(keys: [ring.sealingKey, added] + ring.keys.dropFirst()))
            report("staged key \(added.identifier) in \(path); copy the file to every host, then run --promote")
        } else if promote {
            guard ring.keys.count > 1 else { throw CommandFailure("\(path) holds one key: run --stage first and copy the file to every host") }
            try SecretsKeyFile.replace(path, with: SecretsKeyRing(keys: [ring.keys[1], ring.keys[0]] + ring.keys.dropFirst(2)))
            sleep(grace)
            let sealed = try backend.sealSecrets()
            report("sealed \(sealed.total) secrets under key \(ring.keys[1].identifier); copy \(path) to every host, then run --finish", sealed)
        } else if finish {
            let sealed = try backend.sealSecrets()
            try SecretsKeyFile.replace(path, with: SecretsKeyRing(keys: [ring.sealingKey]))
            report("sealed \(sealed.total) remaining secrets under key \(ring.sealingKey.identifier) and removed the other keys from \(path); copy it to every host", sealed)
        } else {
            let added = SecretsKeyRing.Key.generate()
            try SecretsKeyFile.replace(path, with: SecretsKeyRing(keys: [added] + ring.keys))
            sleep(grace)
            var sealed = try backend.sealSecrets()
            // A worker that sealed a secret just before it read the new file: one more pass after the grace.
            sleep(grace)
            let stragglers = try backend.sealSecrets()
            sealed.clients += stragglers.clients
            sealed.tokenCredentials += stragglers.tokenCredentials
            sealed.temporaryCredentials += stragglers.temporaryCredentials
            try SecretsKeyFile.replace(path, with: SecretsKeyRing(keys: [added]))
            report("sealed \(sealed.total) secrets under the new key \(added.identifier) and removed the old keys from \(path)", sealed)
        }
    }

    private func report(_ sentence: String, _ sealed: SecretSealingReport = SecretSealingReport()) {
        if options.json {
            emit(JSON.object([("message", JSON.string(sentence)), ("clients", String(sealed.clients)),
                              ("token_credentials", String(sealed.tokenCredentials)),
                              ("temporary_credentials", String(sealed.temporaryCredentials))]))
        } else {
            emit(sentence)
        }
    }
}
