"""``techmarket subsidy-calc``: the bureau's what-if calculator — a policy over a file of contracts, no database.

``techmarket subsidy-calc --policy POLICY --year Y --budget B --contracts FILE --out OUT
[--claims CLAIMS.json] [--trail TRAIL.json]``
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from techmarket.subsidies import calc
from techmarket.subsidies.engine import PolicyError, compute, load_policy
from techmarket.subsidies.messages import render_problems


class Command(BaseCommand):
    help = (
        "Compute a subsidy policy over a CSV/.xlsx file of contracts without a database: "
        "`techmarket subsidy-calc --policy POLICY --year Y --budget B --contracts FILE --out OUT`. "
        "POLICY is a shipped policy id or a policy file; B the year's S&T budget in yuan; FILE has the "
        "columns " + ", ".join(calc.COLUMNS) + "; OUT is CSV, or .xlsx when its name ends so."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--policy", required=True, help="A shipped policy id or a policy JSON file.")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--budget", default=None, help="The year's S&T budget in yuan.")
        parser.add_argument("--contracts", type=Path, default=None, help="CSV or .xlsx file.")
        parser.add_argument("--claims", type=Path, default=None, help="Claims JSON (non-contract rules).")
        parser.add_argument("--out", type=Path, required=True, help="CSV, or .xlsx by its suffix.")
        parser.add_argument("--trail", type=Path, default=None, help="Also write the full trail as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            policy = load_policy(options["policy"])
        except PolicyError as error:
            raise CommandError(self._problems(_("策略无法使用："), error), returncode=2) from None
        budget = None
        if options["budget"] not in (None, ""):
            try:
                budget = Decimal(str(options["budget"]).replace(",", ""))
            except InvalidOperation:
                budget = None
            if budget is None or not budget.is_finite() or budget < 0:
                raise CommandError(
                    _("预算应为非负的金额（元）：%(value)s") % {"value": options["budget"]}, returncode=2
                )
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(_("输出目录不存在：%(path)s") % {"path": out.parent}, returncode=2)
        errors = calc.RowErrors()
        try:
            claims = calc.read_claims(options["claims"]) if options["claims"] else []
            contracts = calc.read_contracts(options["contracts"], errors) if options["contracts"] else ()
            result = compute(
                policy,
                year=options["year"],
                budget=budget,
                contracts=contracts,
                claims=claims,
                trail=bool(options["trail"]),  # the trail only when it is written
            )
        except calc.CalcError as error:
            raise CommandError(str(error), returncode=2) from None
        except PolicyError as error:
            raise CommandError(self._problems(_("无法计算："), error), returncode=2) from None
        if errors:
            lines = [
                _("%(count)d 行有错误，未写出任何文件：") % {"count": errors.count},
                *(
                    _("第 %(row)d 行：%(reason)s") % {"row": row, "reason": reason}
                    for row, reason in errors.rows
                ),
            ]
            if errors.count > len(errors.rows):
                lines.append(
                    _("……另有 %(count)d 行错误未列出。") % {"count": errors.count - len(errors.rows)}
                )
            self.stderr.write("\n".join(lines))
            raise CommandError(_("输入有误，未写出结果。"), returncode=1)
        calc.write_awards(out, result)
        if options["trail"]:
            calc.write_trail(options["trail"], result)
        self._summary(policy.id, result, out)

    def _problems(self, title: str, error: PolicyError) -> str:
        return "\n".join([title, *(f"- {line}" for line in render_problems(error))])

    def _summary(self, policy_id: str, result: Any, out: Path) -> None:
        stats = result.stats
        write = self.stdout.write
        write(
            _(
                "策略 %(policy)s（版本 %(version)s），%(year)d 年：读取 %(read)d 份合同，其他年份 %(other)d 份已忽略。"
            )
            % {
                "policy": policy_id,
                "version": result.policy_version,
                "year": result.year,
                "read": stats["contracts_read"],
                "other": stats["contracts_other_year"],
            }
        )
        for rule, count in stats["contracts_outside_region_by_rule"].items():
            if count:
                write(
                    _("规则 %(rule)s：%(count)d 份合同的受补助方不在策略地区内，未计入。")
                    % {"rule": rule, "count": count}
                )
        for refusal in result.refusals:
            write(
                _("申请 %(claim)s（%(rule)s）未获支持：%(reason)s")
                % {"claim": refusal.claim_id, "rule": refusal.rule, "reason": refusal.text}
            )
        for check in result.checks:
            verdict = _("通过") if check.passed else _("未通过")
            write(
                _("核查 %(claim)s（%(rule)s）：%(verdict)s")
                % {"claim": check.claim_id, "rule": check.rule, "verdict": verdict}
            )
        if result.pool is not None:
            write(
                _("资金池：%(pool)s 元；按规则计算合计：%(before)s 元。")
                % {"pool": result.pool, "before": result.total_before_scaling}
            )
        write(
            _("获补助：%(count)d 项，合计 %(total)s 元。")
            % {"count": len(result.awards), "total": result.total}
        )
        write(_("缩放系数：%(factor)s") % {"factor": result.scaling_factor})
        write(_("已写出：%(path)s") % {"path": out})
