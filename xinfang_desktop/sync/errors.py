"""Bundle errors: one stable ``code`` per failure for programs, one Chinese message for people.

The message says what happened and what to do; ``detail`` (also Chinese, may
be empty) is the specific fact (a field name, a size) woven into the message.
"""

from __future__ import annotations

from xinfang_desktop.domain.errors import XinfangError

_CORRUPT = "该文件已损坏或被篡改，请勿导入，请让发送单位重新导出并复制。"

# code -> (what happened, what to do)
MESSAGES: dict[str, tuple[str, str]] = {
    # parse (step 2)
    "truncated": ("同步包文件不完整，数据提前结束", "可能是U盘在写入时被拔出。请让发送单位重新复制该同步包。"),
    "bad_magic": ("该文件不是信访同步包（文件开头的标识不符）", "请确认选择的是本软件导出的 .xfb 同步包文件。"),
    "unsupported_version": ("同步包的格式版本不受支持", "请将本软件升级到最新版本后再导入。"),
    "unsupported_suite": ("同步包使用的密码套件不受支持或已停用", "请将本软件升级到最新版本，或联系发送单位确认其使用的密码套件。"),
    "header_too_large": ("同步包头部的长度超过上限", _CORRUPT),
    "bad_header": ("同步包头部格式不正确", _CORRUPT),
    "too_large": ("同步包内容超过导入上限", "如确属正常的大批量数据，请分批导出，或由管理员调高导入上限。"),
    "length_mismatch": ("同步包加密内容的长度与头部声明不一致", _CORRUPT),
    "bad_signature_length": ("同步包签名字段的长度不正确", _CORRUPT),
    "trailing_data": ("同步包签名之后还有多余的数据", _CORRUPT),
    # verify (steps 3-4)
    "key_mismatch": (
        "同步包声明的签名密钥与为发送单位登记的密钥不符",
        "如对方更换过密钥，请先导入其密钥轮换包或重新登记；否则请勿导入，并联系发送单位核实。",
    ),
    "sender_mismatch": ("同步包声称的发送单位与签名密钥所登记的单位不一致，疑似冒充", "已拒绝。请勿导入，并向管理员报告。"),
    "wrong_recipient": ("该同步包不是发给本单位的", "请确认U盘上的文件是否拿错，再重新导入。"),
    "bad_signature": ("同步包签名验证失败：文件已被改动，或不是由登记的密钥签发", _CORRUPT),
    "hash_mismatch": ("同步包加密内容的校验值与头部不一致：内容已被改动或损坏", _CORRUPT),
    # open (step 6)
    "decrypt_failed": (
        "无法解密同步包",
        "请确认该包是发给本单位的，并使用本单位当前的解密密钥；如刚更换过密钥，请同时提供旧密钥。",
    ),
    "bad_inner": ("同步包解密后的内部结构不正确", "整个包已拒绝，请联系发送单位重新导出。"),
    "manifest_mismatch": (
        "同步包内部清单与头部不一致，可能是把其他单位的加密内容重新签名冒用",
        "整个包已拒绝。请勿导入，并向管理员报告。",
    ),
    "bomb": ("同步包解压后的数据超过上限或超过声明的大小（疑似压缩炸弹）", "整个包已拒绝，请联系发送单位核实。"),
    "bad_records": ("同步包中的记录格式不正确", "整个包已拒绝，请联系发送单位重新导出。"),
    "bad_attachment": ("同步包中的附件与其校验值不符或排列不正确", "整个包已拒绝，请联系发送单位重新导出。"),
    # files (steps 1 and export)
    "write_failed": ("写入同步包文件失败", "请检查U盘是否插好、是否写保护、剩余空间是否足够，然后重新复制。"),
    "readback_mismatch": ("写入后读回的同步包与原文件不一致，U盘可能有故障", "已删除写坏的文件。请换一个U盘重新复制。"),
    "name_conflict": ("U盘上已有同名但内容不同的同步包", "为防止覆盖，未写入。请把这个U盘交给管理员检查。"),
    "read_failed": ("从U盘读取同步包失败", "可能是U盘被拔出或已损坏。请重新插入U盘后再导入。"),
    "not_a_file": ("该项不是普通文件（可能是链接、文件夹或设备）", "已拒绝读取。请勿在U盘上放置链接或特殊文件。"),
}


class BundleError(XinfangError):
    """Any refusal of a bundle. ``code`` is one of :data:`MESSAGES`' keys and never changes meaning."""

    def __init__(self, code: str, detail: str = ""):
        what, todo = MESSAGES[code]
        message = f"{what}（{detail}）。{todo}" if detail else f"{what}。{todo}"
        super().__init__(message)
        self.code = code
        self.detail = detail

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, detail={self.detail!r})"


class BundleFormatError(BundleError):
    """Step 2: fixed fields or header refused; nothing was decrypted."""


class BundleAuthError(BundleError):
    """Steps 3-4: wrong key, wrong unit, bad signature or envelope hash."""


class BundleContentError(BundleError):
    """Step 6: decryption, inner manifest, records or attachments refused."""


class BundleFileError(BundleError):
    """Reading a bundle off the stick or writing one to it failed."""
