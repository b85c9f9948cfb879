/* ssh_auth: the pure part (is a key file passphrase-protected?); the rest runs against a real
 * sshd in tests/integration/test_ssh.sh. Fixtures made by ssh-keygen -t ed25519. */
#include "nvidia-docker/ssh/ssh_auth.h"
#include "unit.h"

static const char encrypted_openssh[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABCeTrN6vy\n"
    "Rg7hwMG/uT7oDNAAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIJ9JxxSc+CsrG1W+\n"
    "ZjapGaRVKIcWgd274Orzr2UBzRANAAAAkIJqzUHbKHcpvT1g2EXpo3qjV1zbhd8tUylApG\n"
    "pMTgdjhytut24NnANv5Xg0oHJSSZ77NLt8QiTx7VYMDqvr6X4xfW9dbMeiqipQDVaeJDpd\n"
    "8hXdchIu2IhoOJYnNjV1J+XNqiJ/Y9ksDnXDYEQg6GXSp035YhNF8ClwXK2u4Rh0K0qcLs\n"
    "9q/vSKOsw3OsEPkA==\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

static const char plain_openssh[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACDUvm3yGRkUy53o19Gle3yOWg0QHC/lp0FraEL303vJvgAAAIge0xJLHtMS\n"
    "SwAAAAtzc2gtZWQyNTUxOQAAACDUvm3yGRkUy53o19Gle3yOWg0QHC/lp0FraEL303vJvg\n"
    "AAAEDlAivq/nXKnkrwB2uTNAJTyjvKy6RQERSmYQ/TzqUbxtS+bfIZGRTLnejX0aV7fI5a\n"
    "DRAcL+WnQWtoQvfTe8m+AAAAAAECAwQF\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

static void test_key_is_encrypted(void)
{
        CU_ASSERT(ssh_auth_key_is_encrypted(encrypted_openssh));
        CU_ASSERT(!ssh_auth_key_is_encrypted(plain_openssh));
        CU_ASSERT(ssh_auth_key_is_encrypted("-----BEGIN RSA PRIVATE KEY-----\n"
                                            "Proc-Type: 4,ENCRYPTED\n"
                                            "DEK-Info: AES-128-CBC,00\n\nAAAA\n"
                                            "-----END RSA PRIVATE KEY-----\n"));
        CU_ASSERT(ssh_auth_key_is_encrypted("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"));
        CU_ASSERT(!ssh_auth_key_is_encrypted("-----BEGIN EC PRIVATE KEY-----\nAAAA\n"));
        CU_ASSERT(!ssh_auth_key_is_encrypted(""));
        CU_ASSERT(!ssh_auth_key_is_encrypted("-----BEGIN OPENSSH PRIVATE KEY-----\n!!!\n"
                                             "-----END OPENSSH PRIVATE KEY-----\n"));
        CU_ASSERT(!ssh_auth_key_is_encrypted("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n"
                                             "-----END OPENSSH PRIVATE KEY-----\n"));
}

UNIT_MAIN("ssh_auth", UNIT(test_key_is_encrypted))
