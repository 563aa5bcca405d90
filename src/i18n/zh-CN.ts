import type { TermKey } from './en.js';
import type { Catalogue, Messages } from './types.js';

/** 简体中文。`satisfies Messages` 让缺失的译文在类型检查时即报错。 */
export const zhCNMessages = {
  ACCOUNT_FROZEN: {
    message: '账户已被冻结，无法解绑、更换、撤销实名或注销。',
    remediation: '请在「我 › 安全 › 申诉」提交申诉，申诉通过后即解除冻结。',
  },
  ACCOUNT_BANNED: {
    message: '账户已被封禁，无法解绑、更换、撤销实名或注销。',
    remediation: '请在「我 › 安全 › 申诉」提交申诉，由人工复核封禁。',
  },
  ACCOUNT_DEACTIVATING: {
    message: '账户处于注销反悔期，至 {until:date} 结束。',
    remediation: '如需继续使用，请在「我 › 安全 › 注销账户」撤回注销申请。',
  },
  ACCOUNT_DELETED: {
    message: '该账户已注销。',
    remediation: '已注销的账户无法再操作，请注册新账户。',
  },
  OPERATION_IN_PROGRESS: {
    message: '该账户已有进行中的操作（{operationKind:term}）。',
    remediation: '请等待操作 {operationId} 完成，或在「我 › 操作记录」中取消。',
  },
  IDENTITY_NOT_VERIFIED: {
    message: '实名状态为「{status:term}」，此操作不适用。',
    remediation: '请先在「我 › 实名认证」完成实名。',
  },
  BALANCE_NOT_ZERO: {
    message: '钱包余额为 {amount:money}，须清零。',
    remediation: '请在「钱包 › 零钱 › 提现」提现或消费完余额。',
  },
  BALANCE_RESIDUE: {
    message: '零钱中有不足一分钱的余额 {residue:money}；界面显示为 ¥0.00，但仍会阻止操作。',
    remediation: '请在「钱包 › 零钱 › 零头」处理这笔零头（捐赠或转入理财）。',
  },
  PENDING_TRANSACTION: {
    message: '有一笔 {amount:money} 的{transactionKind:term}尚未完成。',
    remediation: '请等待其完成，或在「钱包 › 账单」中取消。',
  },
  CARD_BOUND: {
    message: '{bank} 尾号 {last4} 的{cardType:term}卡仍处于绑定状态。',
    remediation: '请在「钱包 › 银行卡」解绑。',
  },
  PAY_SCORE_ENABLED: {
    message: '支付分服务仍处于开启状态。',
    remediation: '请先结清支付分订单，再在「钱包 › 支付分 › 设置」关闭服务。',
  },
  SUBSCRIPTION_ACTIVE: {
    message: '{merchant} 的自动扣费服务「{product}」（每次 {amount:money}）仍在生效。',
    remediation: '请在「我 › 服务 › 自动续费」中关闭。',
  },
  ADMIN_ROLE_HELD: {
    message: '您是{roleKind:term}「{name}」的管理员。',
    remediation: '请先在该平台的设置中将管理员身份转让给他人。',
  },
  LOAN_OUTSTANDING: {
    message: '借款「{product}」尚有 {outstanding:money} 未还清。',
    remediation: '请在「钱包 › 借款」全部还清。',
  },
  RED_PACKET_UNCLAIMED: {
    message: '您发出的 {amount:money} 红包尚未被领取，{expiresAt:date} 到期。',
    remediation: '请等待红包被领取，或在 {expiresAt:date} 后自动退回。',
  },
  FUND_FLOW_DECLARATION_REQUIRED: {
    message: '{region:term}账户须先完成资金流向申报。',
    remediation: '请在「我 › 地区 › 资金流向申报」完成申报。',
  },
  MINOR_NIGHT_WINDOW: {
    message: '未成年人在北京时间 {start} 至 {end} 之间无法进行此操作。',
    remediation: '请在 {retryAt:date} 之后再试。',
  },
  MAINTENANCE_WINDOW: {
    message: '北京时间 {start} 至 {end} 为系统维护时段，暂停解绑。',
    remediation: '请在 {retryAt:date} 之后再试，本次未做任何更改。',
  },
  CARD_NOT_FOUND: {
    message: '该账户没有绑定编号为 {cardId} 的银行卡。',
    remediation: '请从「钱包 › 银行卡」列出的卡中选择。',
  },
  CREDIT_CARD_DAILY_LIMIT: {
    message: '信用卡每天最多解绑 {limit} 张，今天已解绑 {used} 张。',
    remediation: '请在 {retryAt:date} 之后再试。',
  },
  CREDIT_CARD_UNBILLED: {
    message: '{bank} 尾号 {last4} 的信用卡有 {unbilled:money} 未出账。',
    remediation: '请在「钱包 › 银行卡 › 还款」还清未出账金额后再解绑。',
  },
  OVERSEAS_CARD_WEEKLY_LIMIT: {
    message: '境外卡每 {days} 天最多解绑 {limit} 张。',
    remediation: '请在 {retryAt:date} 之后再试。',
  },
  CROSS_BORDER_AGREEMENT_ON: {
    message: '{bank} 尾号 {last4} 的卡仍开通跨境支付协议。',
    remediation: '请在「钱包 › 银行卡 › 跨境支付」关闭。',
  },
  REALNAME_CHANGE_TOO_SOON: {
    message: '距上次更换实名不足 {days} 天。',
    remediation: '请在 {retryAt:date} 之后再试。',
  },
  DOCUMENT_CHANGE_LIMIT: {
    message: '该证件在最近 {days} 天内已用于 {limit} 次实名更换；再次尝试将触发 {cooldownDays} 天冷却期。',
    remediation: '请选择其他方式（在「我 › 实名认证 › 方式对比」中比较），或等待较早的更换记录过期。',
  },
  DOCUMENT_COOLDOWN: {
    message: '该证件处于实名更换冷却期，至 {until:date} 结束。',
    remediation: '请在 {until:date} 之后再试。',
  },
  DOCUMENT_INVALID: {
    message: '新证件号码无效：{problem:term}。',
    remediation: '请对照证件核对号码后重新输入。',
  },
  MINOR_MONTHLY_LIMIT: {
    message: '未成年人每个自然月最多修改身份信息 {limit} 次。',
    remediation: '请在 {retryAt:date} 之后再试。',
  },
  ABNORMAL_LOGIN_RECENT: {
    message: '{at:date} 检测到异常登录，距今不足 {days} 天。',
    remediation: '请在「我 › 安全 › 账户检测」检测并加固账户。',
  },
  NOT_PRIMARY_DEVICE: {
    message: '此请求并非来自您的常用设备。',
    remediation: '请使用常用设备操作（见「我 › 安全 › 登录设备」）。',
  },
  DEVICE_CHANGED_RECENTLY: {
    message: '常用设备更换不足 {days} 天。',
    remediation: '请在 {retryAt:date} 之后再试。',
  },
  REALNAME_CHANGED_RECENTLY: {
    message: '实名主体更换不足 {days} 天。',
    remediation: '请在 {retryAt:date} 之后再试。',
  },
  ENTERPRISE_LINK_ACTIVE: {
    message: '与 {enterprise} 的{linkKind:term}关联仍然有效。',
    remediation: '请在「我 › 企业」解除关联。',
  },
  ENTERPRISE_LINK_NOT_FOUND: {
    message: '该账户没有编号为 {linkId} 的有效企业关联。',
    remediation: '请从「我 › 企业」列出的关联中选择。',
  },
  ENTERPRISE_ADMIN_ROLE_HELD: {
    message: '您是 {enterprise} 的管理员。',
    remediation: '请先在「我 › 企业 › 管理员」释放企业管理员身份。',
  },
  APPEAL_NOT_NEEDED: {
    message: '该账户未被冻结或封禁，无需申诉。',
    remediation: '无需任何操作。',
  },
  APPEAL_ALREADY_OPEN: {
    message: '申诉 {appealId} 正在审核中。',
    remediation: '请在「我 › 安全 › 申诉」查看进度。',
  },
  NOTHING_TO_RESTORE: {
    message: '该账户的支付功能未受限制。',
    remediation: '无需任何操作。',
  },
  RESTORE_CARD_REQUIRED: {
    message: '重新绑定银行卡后才能解除支付限制。',
    remediation: '请在「钱包 › 银行卡 › 添加」绑卡。',
  },
  RESTORE_TRANSACTIONS_REQUIRED: {
    message: '撤销实名后已完成 {done}/{required} 笔验证交易。',
    remediation: '请用已绑定的卡完成 {required} 笔验证交易。',
  },
  EXPORT_AGREEMENT_REQUIRED: {
    message: '{region:term}账户导出数据前须签署数据跨境传输协议。',
    remediation: '请在「我 › 隐私 › 导出协议」签署。',
  },
  LOCAL_STORAGE_AGREEMENT_REQUIRED: {
    message: '{region:term}账户导出数据前须同意本地数据存储协议。',
    remediation: '请在「我 › 隐私 › 本地存储」同意。',
  },
  EVIDENCE_MISSING: {
    message: '缺少材料「{evidence:term}」（已提供 {provided}/{required}）。',
    remediation: '请随请求一并提供。',
  },
  RISK_STEP_UP_REQUIRED: {
    message: '为保障账户安全，该操作还需一项验证：「{evidence:term}」（已提供 {provided}/{required}）。',
    remediation: '请由账户本人完成人脸验证，然后携带验证结果重新发起操作。',
  },
  RISK_DENIED: {
    message: '为保障账户安全，该账户暂时无法进行此操作。',
    remediation: '请稍后在常用设备上重试，或联系客服核实身份。',
  },
  MERCHANT_RECORDS_RETAINED: {
    message: '撤销实名后，商户号 {merchantId} 仍按留存规定保留历史实名记录。',
    remediation: '如需清除，请同时注销商户号（需提供营业执照注销证明）。',
  },
  NON_MAINLAND_REVIEW: {
    message: '非内地证件需额外经过 {steps} 个人工审核环节（至少 {hours} 小时）。',
  },
  MINOR_MANUAL_REVIEW: {
    message: '未成年人撤销实名需人工审核，{minDays}–{maxDays} 个工作日内完成。',
  },
  CALENDAR_DATA_MISSING: {
    message: '工作日历缺少 {years} 年的官方节假日数据，期限仅按周末计算。',
    remediation: '请将国务院公布的当年安排作为日历补充数据加入（见 README › 日历）。',
  },
  CONSEQ_COOLING_OFF: {
    message: '账户将被冻结，进入 {days} 天反悔期，至 {until:date} 结束；在此之前可随时撤回。',
  },
  CONSEQ_DATA_ERASED: { message: '反悔期结束后，实名信息和全部内容将被永久清除。' },
  CONSEQ_IDENTIFIERS_RETIRED: { message: '账号、手机号绑定和应用标识将被永久停用，不再复用。' },
  CONSEQ_APPS_NOTIFIED: { message: '将通知 {count} 个第三方应用。' },
  CONSEQ_SUBSCRIPTIONS_END: { message: '{count} 项订阅将终止。' },
  CONSEQ_IDENTITY_PENDING_COMPLETION: {
    message: '这是最后一张卡：实名状态将变为「待完善」，需绑卡的金融服务受限，基础支付不受影响。',
  },
  CONSEQ_CARD_REMOVED: { message: '{bank} 尾号 {last4} 的卡将从钱包中移除。' },
  CONSEQ_RECEIVE_LIMIT_LOWERED: { message: '每日收款限额从 {from:money} 降至 {to:money}。' },
  CONSEQ_WITHDRAWAL_PAUSED: { message: '零钱提现暂停 {hours} 小时。' },
  CONSEQ_AUTO_DEBITS_TERMINATED: { message: '{count} 项自动扣费协议将被终止。' },
  CONSEQ_LOGIN_EXTRA_SMS: { message: '登录时需额外输入短信验证码。' },
  CONSEQ_FRIEND_REQUESTS_BLOCKED: { message: '将无法接收好友申请。' },
  CONSEQ_MOMENTS_LIMITED: { message: '每天最多发 {perDay} 条朋友圈。' },
  CONSEQ_GRANTS_REVOKED: { message: '对 {count} 个第三方应用的授权将被撤销。' },
  CONSEQ_MINI_PROGRAMS_REQUALIFY: { message: '您名下的 {count} 个小程序需重新提交主体资质。' },
  CONSEQ_API_QUOTA_TEST: { message: '开放平台接口额度降为测试级别。' },
  CONSEQ_PAYMENT_FORCE_CLOSED: { message: '{region:term}的支付功能将被强制关闭。' },
  CONSEQ_RED_PACKETS_DISABLED: { message: '红包和转账功能将被禁用。' },
  CONSEQ_GAMES_DISABLED: { message: '审核期间游戏功能将被禁用。' },
  CONSEQ_RESTORATION_PATH: { message: '重新绑卡并完成 {transactions} 笔验证交易后可解除支付限制。' },
  CONSEQ_SUBJECT_OVERWRITTEN: {
    message: '实名主体将被覆盖；账号不变，原主体信息加密保存在历史记录中。',
  },
  CONSEQ_INVOICES_UPDATE: { message: '以原主体开具的 {count} 张账单或发票需要更新。' },
  CONSEQ_MANUAL_REVIEW: { message: '需经过 {steps} 个人工审核环节，预计至少 {hours} 小时。' },
  CONSEQ_APPROVALS_VOIDED: { message: '{enterprise} 中 {count} 个待审批事项将作废。' },
  CONSEQ_ENTERPRISE_API_REVOKED: { message: '您在 {enterprise} 的接口权限将立即撤销。' },
  CONSEQ_JOB_RECORD_KEPT: { message: '{enterprise} 将保留您的任职记录。' },
  CONSEQ_CONTACT_RECORDS_CLEARED: { message: '与 {enterprise} 客户的沟通记录将被清除。' },
  CONSEQ_WITHHOLDING_TERMINATED: { message: '与 {enterprise} 的代扣协议将被终止。' },
  CONSEQ_REVIEW_DUE: {
    message: '将在 {minDays}–{maxDays} 个工作日内完成审核，最迟 {dueBy:date}。',
  },
  CONSEQ_FREEZE_LIFTED_ON_ACCEPT: { message: '申诉通过即解除冻结；未通过会说明原因。' },
  CONSEQ_PAYMENT_RESTORED: { message: '撤销实名带来的支付限制将被解除。' },
  CONSEQ_EXPORT_ARCHIVE: {
    message: '生成机器可读的数据包：个人资料、实名历史（脱敏）、银行卡（脱敏）、交易、授权和操作记录。',
  },
  VALIDATION_FAILED: {
    message: '请求无效：{detail}',
    remediation: '请修正所列字段后重新提交。',
  },
  DOCUMENT_NUMBER_INVALID: {
    message: '证件号码无效：{problem:term}（{detail}）。',
    remediation: '请对照证件核对号码后重新输入。',
  },
  MALFORMED_JSON: { message: '请求体不是合法的 JSON。', remediation: '请发送 JSON 格式的请求体。' },
  PAYLOAD_TOO_LARGE: { message: '请求体超过 {limit} 字节。' },
  UNSUPPORTED_MEDIA_TYPE: { message: '不接受该内容类型。', remediation: '请发送 application/json。' },
  UNAUTHENTICATED: {
    message: '需要有效的 API 密钥或用户令牌。',
    remediation: '请发送「Authorization: Bearer <密钥>」。',
  },
  FORBIDDEN: { message: '该密钥缺少权限范围「{scope}」。', remediation: '请使用具有该权限的密钥。' },
  NOT_FOUND: { message: '未找到。' },
  ACCOUNT_NOT_FOUND: { message: '账户不存在。' },
  OPERATION_NOT_FOUND: { message: '操作不存在。' },
  METHOD_NOT_ALLOWED: { message: '此处不允许该请求方法。' },
  CONFLICT: { message: '请求与当前状态冲突：{detail}' },
  ACCOUNT_EXISTS: { message: '该账户编号已存在。' },
  IDEMPOTENCY_KEY_REUSED: {
    message: '该 Idempotency-Key 已用于另一个不同的请求。',
    remediation: '新请求请使用新的密钥，或原样重发第一次的请求。',
  },
  IDEMPOTENCY_IN_PROGRESS: {
    message: '使用该 Idempotency-Key 的请求仍在处理中。',
    remediation: '请稍后重试。',
  },
  ILLEGAL_TRANSITION: {
    message: '操作无法从「{from}」经「{event}」转换。',
    remediation: '请先查看操作的当前状态和可执行的动作。',
  },
  NOT_CANCELLABLE: { message: '操作已处于 {state} 状态，无法再取消。' },
  OPERATION_BLOCKED: {
    message: '操作被 {count} 条规则阻止，每条均附有解决办法。',
    remediation: '请逐一解决后重试。',
  },
  VERIFICATION_NOT_FOUND: {
    message: '本账户没有验证请求 {challengeId}。',
    remediation: '请重新获取验证码。',
  },
  VERIFICATION_CARD_NOT_FOUND: {
    message: '本账户没有绑定银行卡 {cardId}，无法发送验证码。',
    remediation: '请从「钱包 › 银行卡」中选择一张卡。',
  },
  VERIFICATION_CODE_WRONG: {
    message: '验证码错误，还可尝试 {attemptsLeft} 次。',
    remediation: '请核对短信后重新输入。',
  },
  VERIFICATION_CODE_EXPIRED: {
    message: '验证码已过期。',
    remediation: '请重新获取验证码。',
  },
  VERIFICATION_CODE_USED: {
    message: '该验证码已被使用。',
    remediation: '请重新获取验证码。',
  },
  VERIFICATION_LOCKED: {
    message: '验证码错误次数过多（{maxAttempts} 次），该验证码已失效。',
    remediation: '请重新获取验证码。',
  },
  VERIFICATION_RESEND_TOO_SOON: {
    message: '用于{purpose:term}的验证码已在 {cooldownSeconds} 秒内发送过。',
    remediation: '请使用已收到的验证码，或在 {retryAfter} 秒后重新获取。',
  },
  VERIFICATION_SEND_FAILED: {
    message: '验证码发送失败。',
    remediation: '请稍后重试。',
  },
  BANK_RESERVED_INFO_MISMATCH: {
    message: '银行无法为新实名主体确认此银行卡：{reason:term}。',
    remediation: '请使用新实名主体本人的银行卡，姓名、证件和手机号须与银行预留信息完全一致。',
  },
  IDENTITY_BIND_HELD: {
    message: '该身份暂时无法绑定：请求已转入安全审核（操作 {operationId}）。',
    remediation: '请在该操作中查看审核进度，审核结果会通知您，无需重复提交。',
  },
  VERIFICATION_REQUIRED: {
    message: '证明材料「{evidence:term}」必须是用于{purpose:term}且已验证、未使用的验证码：{reason:term}。',
    remediation: '请为本操作获取并验证验证码，然后使用其验证请求编号重新发起。',
  },
  EVIDENCE_TOO_LARGE: {
    message: '{kind:term}文件大小为 {size} 字节，最多接受 {limit} 字节。',
    remediation: '请压缩后上传，或换一个较小的文件。',
  },
  EVIDENCE_TYPE_NOT_ALLOWED: {
    message: '{kind:term}不接受 {contentType} 格式；可接受的格式：{allowed}。',
    remediation: '请以可接受的格式上传。',
  },
  EVIDENCE_CONTENT_MISMATCH: {
    message: '文件内容与声明的类型 {contentType} 不符。',
    remediation: '请声明文件的真实类型，或上传正确的文件。',
  },
  EVIDENCE_NAME_INVALID: {
    message: '文件名不被接受：{problem:term}。',
    remediation: '请使用不含路径分隔符、".."、":" 或控制字符的普通文件名。',
  },
  EVIDENCE_NOT_FOUND: {
    message: '本账户没有该类型的证据 {ref}。',
    remediation: '请先上传文件，再引用上传返回的编号。',
  },
  REVIEW_CLAIMED: {
    message: '该案件已由 {claimedBy} 于 {since:date} 认领。',
    remediation: '请选择其他案件，或请该审核员移交。',
  },
  REVIEW_NOT_CLAIMED: {
    message: '只有认领该案件的审核员才能作出决定；当前认领人：{claimedBy:term}。',
    remediation: '请先认领该案件。',
  },
  REVIEW_NOT_OPEN: { message: '操作 {operationId} 当前为 {state} 状态，不在待审核中。' },
  REVIEW_SECOND_REVIEWER_REQUIRED: {
    message: '境外证件更换实名的第二步审核须由另一名审核员完成。',
    remediation: '请由另一名审核员完成第二步审核。',
  },
  RECEIVE_LIMIT_EXCEEDED: {
    message:
      '收款 {amount:money} 将超出今日收款限额 {limit:money}：{resetsAt:date} 之前还可收款 {remaining:money}。',
    remediation:
      '请在 {resetsAt:date} 之后收取剩余款项。撤销实名后降低的限额，可通过重新绑定银行卡并完成 {transactions} 笔验证交易解除。',
  },
  WITHDRAWAL_PAUSED: {
    message: '撤销实名后零钱提现暂停至 {until:date}。',
    remediation: '请在 {until:date} 之后再提现。',
  },
  TRANSFERS_DISABLED: {
    message: '未实名的未成年人账户不能发红包或转账，本次{kind:term}已被拒绝。',
    remediation: '请在监护人协助下于「我 › 实名认证」重新实名。',
  },
  PAYMENT_CLOSED: {
    message: '撤销实名时，{region:term}的支付功能已被强制关闭，本次{kind:term}已被拒绝。',
    remediation: '请在「我 › 实名认证」重新实名以恢复支付。',
  },
  APP_NOT_FOUND: { message: '应用不存在：{appId}。', remediation: '请先通过 POST /v1/apps 注册该应用。' },
  APP_RECEIVER_INVALID: {
    message: '接收地址不可用：{detail}',
    remediation: '请提供可接收安全事件 POST 请求的完整 http:// 或 https:// 地址。',
  },
  OUTBOX_EVENT_NOT_FOUND: { message: '发件箱事件不存在：{id}。' },
  REVOCATION_PARTICIPANT_FAILED: {
    message: '{participant} 未能准备撤销（{detail}），撤销未生效，实名已恢复为已认证。',
    remediation: '请稍后重新发起撤销。',
  },
  REVOCATION_PARTICIPANT_TIMEOUT: {
    message: '{participant} 未在 {timeoutMs} 毫秒内响应，撤销未生效，实名已恢复为已认证。',
    remediation: '请稍后重新发起撤销。',
  },
  REVOCATION_INTERRUPTED_BY_FUNDS: {
    message: '撤销进行中记录了一笔 {amount:money} 的{transactionKind:term}，撤销已回滚；该笔交易本身已保留。',
    remediation: '请待交易完成后重新发起撤销。',
  },
  RISK_REVIEW_HELD: {
    message: '为保障账户安全，该操作正在等待人工安全审核。',
    remediation: '无需任何操作：审核完成后操作将继续进行，或告知您未通过的原因。',
  },
  NOTICE_ACCOUNT_DISABLED: { message: '该账户已进入注销冷静期，在 {until:date} 前停用。' },
  NOTICE_ACCOUNT_ENABLED: { message: '该账户的注销已取消，账户已恢复。' },
  NOTICE_ACCOUNT_PURGED: { message: '该账户已注销，个人数据已删除。' },
  NOTICE_REALNAME_REVOKED: { message: '该账户已撤销实名认证，对应用的授权已终止。' },
  NOTICE_SUBJECT_CHANGED: { message: '该账户的实名主体已变更，此前签发的身份声明不再有效。' },
  NOTICE_PHONE_CHANGED: { message: '该账户绑定的手机号已变更。' },
  RATE_LIMITED: { message: '请求过于频繁，请在 {retryAfter} 秒后重试。' },
  POLICY_INVALID: { message: '策略在 {path} 处无效：{reason}' },
  DEV_CLOCK_DISABLED: { message: '开发时钟未启用。' },
  NOT_READY: { message: '服务尚未就绪：{detail}' },
  INTERNAL: { message: '服务端出现错误，请凭请求编号联系我们。' },
} as const satisfies Messages;

export const zhCNTerms = {
  card_unknown: '银行无此卡号',
  holder_mismatch: '持卡人姓名不一致',
  document_mismatch: '证件与持卡人不一致',
  phone_mismatch: '手机号与银行预留手机号不一致',
  debit: '借记',
  credit: '信用',
  overseas: '境外',
  attendance: '考勤',
  customer_contact: '客户联系',
  enterprise_payment: '企业支付',
  official_account: '公众号',
  mini_program: '小程序',
  payment: '付款',
  transfer: '转账',
  withdrawal: '提现',
  refund: '退款',
  receive: '收款',
  red_packet: '红包',
  length: '位数不对',
  characters: '含有不允许的字符',
  date: '出生日期不是真实日期',
  check_digit: '校验位不符',
  format: '格式不对',
  unverified: '未实名',
  verified: '已实名',
  pending_completion: '待完善',
  pending_recycle: '待回收',
  revoked: '已撤销',
  'account.delete': '注销账户',
  'card.unbind': '解绑银行卡',
  'realname.change': '更换实名',
  'realname.revoke': '撤销实名',
  'enterprise.detach': '解除企业关联',
  'appeal.submit': '申诉',
  'payment.restore': '恢复支付',
  'data.export': '导出数据',
  'identity.bind': '绑定实名',
  CN: '中国内地',
  HK: '香港',
  MO: '澳门',
  TW: '台湾',
  SEA: '东南亚',
  EU: '欧盟',
  US: '美国',
  OTHER: '其他地区',
  document_front: '证件正面照片',
  document_back: '证件背面照片',
  liveness_video: '活体检测视频',
  phone_code: '绑定手机验证码',
  bank_reserved_info: '银行预留信息',
  sms_code: '短信验证码',
  reserved_phone_code: '银行预留手机验证码',
  guardian_face: '监护人人脸验证',
  guardianship_proof: '监护关系证明',
  notarised_guardianship: '经公证的监护关系文件',
  guardian_handheld_id_video: '监护人手持身份证视频',
  household_register_proof: '户口本关系证明',
  school_enrolment_certificate: '在校证明',
  resignation_certificate: '离职证明',
  customer_data_migrated: '客户数据已迁移确认',
  finance_reconciliation: '财务对账完成证明',
  aux_verification: '辅助验证',
  handheld_id_photo: '手持证件照',
  statement: '情况说明',
  route_delete: '注销账户',
  route_unbind_cards: '解绑全部银行卡',
  route_change_subject: '更换实名主体',
  keep_nothing: '无：反悔期结束后全部数据清除',
  keep_account_and_content: '账号、聊天记录、联系人和朋友圈',
  keep_identity: '实名身份（无卡时为待完善）',
  keep_account_id: '账号、聊天记录和联系人',
  keep_old_subject_encrypted: '原实名主体（加密保存在历史中）',
  lose_everything: '账号的全部功能',
  lose_card_services: '需绑卡的服务（借款、支付分、银行卡支付）',
  lose_old_subject_bills: '原主体名下的账单和发票需要更新',
  recover_cancel_cooling_off: '反悔期内可随时撤回，之后无法恢复',
  recover_rebind_card: '随时可以重新绑卡',
  recover_change_again: '满最短间隔后可再次更换',
  fund_flow_declaration: '资金流向申报',
  name_empty: '文件名为空',
  name_too_long: '文件名超过 255 字节',
  name_forbidden_character: '文件名含有路径分隔符、":"、NUL 或其他控制字符',
  name_traversal: '文件名含有 ".."（路径穿越）',
  nobody: '无',
  verification_not_found: '本账户没有该验证请求',
  verification_other_purpose: '该验证码用于其他用途',
  verification_same_destination: '另一项辅助验证发往同一手机或银行卡；每项须来自不同的手机或银行卡',
  verification_other_channel: '该验证码发送到了其他手机',
  verification_not_verified: '该验证码尚未验证',
  verification_used: '该验证码已被使用',
  verification_expired: '该验证码已过期',
} as const satisfies Record<TermKey, string>;

export const zhCN: Catalogue = { messages: zhCNMessages, terms: zhCNTerms };
