{#- A model's schema is its layer (staging, core, marts, ...), not `main_<layer>`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
