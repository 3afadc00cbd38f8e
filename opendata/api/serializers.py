"""What the public API shows of each object: public fields and display names, never an email
or an account id."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from participation.models import Position


def _url(obj, context):
    """The page's absolute address on its own municipality's Site."""
    return obj.get_full_url(context.get("request")) or ""


def _author_name(author):
    return author.public_name if author else ""


class PageLinkMixin(serializers.Serializer):
    id = serializers.IntegerField(source="pk", read_only=True)
    title = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return _url(obj, self.context)


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MunicipalityRefSerializer(serializers.Serializer):
    name = serializers.CharField(source="name_ko")
    name_en = serializers.CharField()
    kind = serializers.ChoiceField(choices=["province", "city"])
    hostname = serializers.CharField(source="site.hostname")
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, config):
        return config.site.root_url + "/"


class MunicipalitySerializer(MunicipalityRefSerializer):
    province = serializers.SerializerMethodField()
    cities = serializers.SerializerMethodField()
    topics = NamedSerializer(many=True)
    areas = NamedSerializer(many=True)
    support_threshold = serializers.IntegerField()
    support_window_days = serializers.IntegerField()
    licence = serializers.CharField(source="data_licence")
    licence_name = serializers.CharField(source="get_data_licence_display")
    licence_url = serializers.URLField(source="data_licence_url")

    @extend_schema_field(MunicipalityRefSerializer(allow_null=True))
    def get_province(self, config):
        province = getattr(config, "province_config", None)
        return MunicipalityRefSerializer(province).data if province else None

    @extend_schema_field(MunicipalityRefSerializer(many=True))
    def get_cities(self, config):
        return MunicipalityRefSerializer(config.member_sites, many=True).data


# Proposals


class ImplementationUpdateSerializer(serializers.Serializer):
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    progress = serializers.IntegerField()
    date = serializers.DateField()
    note = serializers.CharField()


class TimelineEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField(source="get_kind_display")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class ProposalSerializer(PageLinkMixin):
    summary = serializers.CharField()
    body_html = serializers.CharField(source="body")
    stage = serializers.CharField()
    stage_label = serializers.CharField(source="get_stage_display")
    topic = NamedSerializer(allow_null=True)
    area = NamedSerializer(allow_null=True)
    author_name = serializers.SerializerMethodField()
    support_count = serializers.IntegerField()
    support_threshold = serializers.IntegerField()
    support_deadline = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    threshold_reached_at = serializers.DateTimeField(allow_null=True)
    review_due_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    committee_answer = serializers.CharField(source="answer")
    withdrawal_reason = serializers.CharField()

    def get_author_name(self, obj) -> str:
        return _author_name(obj.author)


class ProposalDetailSerializer(ProposalSerializer):
    implementation_updates = ImplementationUpdateSerializer(many=True, source="public_updates")
    timeline = TimelineEventSerializer(many=True, source="public_events")


# Debates and comments


class PositionsSerializer(serializers.Serializer):
    for_ = serializers.IntegerField(source="positions_for")
    against = serializers.IntegerField(source="positions_against")
    neutral = serializers.IntegerField(source="positions_neutral")
    total = serializers.SerializerMethodField()

    def get_fields(self):
        fields = super().get_fields()
        fields["for"] = fields.pop("for_")
        return fields

    def get_total(self, obj) -> int:
        return sum(getattr(obj, f"positions_{p.value}") for p in Position)


class DebateSerializer(PageLinkMixin):
    summary = serializers.CharField()
    official = serializers.BooleanField()
    status = serializers.ChoiceField(choices=["upcoming", "open", "closed"])
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(source="first_published_at", allow_null=True)
    conclusion = serializers.CharField()
    author_name = serializers.SerializerMethodField()
    up_count = serializers.IntegerField()
    down_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    positions = PositionsSerializer(source="*")

    def get_author_name(self, obj) -> str:
        return _author_name(obj.author)


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    page = serializers.IntegerField(source="page_id")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    depth = serializers.IntegerField()
    author_name = serializers.SerializerMethodField()
    position = serializers.CharField()
    body_html = serializers.CharField(source="body")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    up_count = serializers.IntegerField()
    down_count = serializers.IntegerField()
    score = serializers.IntegerField()
    reply_count = serializers.IntegerField()

    def get_author_name(self, obj) -> str:
        return _author_name(obj.author)


# Polls


class PollOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    text = serializers.CharField()


class PollQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    text = serializers.CharField()
    kind = serializers.CharField()
    max_choices = serializers.IntegerField(allow_null=True)
    options = PollOptionSerializer(many=True, source="options.all")


class OptionResultSerializer(serializers.Serializer):
    option = serializers.IntegerField(source="option.pk")
    total = serializers.IntegerField()
    percent = serializers.FloatField()


class QuestionResultSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk")
    total = serializers.IntegerField()
    options = OptionResultSerializer(many=True)


class PollResultsSerializer(serializers.Serializer):
    voters = serializers.IntegerField()
    eligible = serializers.IntegerField(allow_null=True)
    turnout_percent = serializers.FloatField(allow_null=True)
    questions = QuestionResultSerializer(many=True)


class PollSerializer(PageLinkMixin):
    status = serializers.ChoiceField(choices=["upcoming", "open", "closed"])
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    results_visibility = serializers.CharField()
    results_published = serializers.BooleanField(source="results_shown")
    questions = PollQuestionSerializer(many=True, source="public_questions")


class PollDetailSerializer(PollSerializer):
    results = PollResultsSerializer(allow_null=True, source="public_results")


# Budgets


class BudgetResultSerializer(serializers.Serializer):
    rule = serializers.CharField()
    selected_projects = serializers.ListField(child=serializers.IntegerField(), source="selected")
    spent = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False)
    ballots_counted = serializers.IntegerField()
    published_at = serializers.DateTimeField()


class BudgetHeadingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False)
    district = serializers.CharField()
    result = serializers.SerializerMethodField()

    @extend_schema_field(BudgetResultSerializer(allow_null=True))
    def get_result(self, heading):
        results = heading.published_results
        return BudgetResultSerializer(results[0]).data if results else None


class BudgetPhaseSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField(source="get_kind_display")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(allow_null=True)


class BudgetSerializer(PageLinkMixin):
    intro = serializers.CharField()
    ballot_kind = serializers.CharField()
    rule = serializers.CharField()
    currency = serializers.CharField()
    phases = BudgetPhaseSerializer(many=True, source="public_phases")
    headings = BudgetHeadingSerializer(many=True, source="public_headings")


class BudgetProjectSerializer(PageLinkMixin):
    budget = serializers.IntegerField(source="heading.page_id")
    heading = serializers.IntegerField(source="heading_id")
    description = serializers.CharField()
    cost = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False)
    categories = serializers.ListField(child=serializers.CharField())
    target_groups = serializers.ListField(child=serializers.CharField())
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    pabulib_id = serializers.CharField()
    score = serializers.SerializerMethodField()
    selected = serializers.SerializerMethodField()

    def _result(self, project):
        return self.context.get("results", {}).get(project.heading_id)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_score(self, project):
        """The score under the published result; null until a result is published."""
        result = self._result(project)
        return result.scores.get(str(project.pk)) if result else None

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_selected(self, project):
        result = self._result(project)
        return project.pk in result.selected if result else None
